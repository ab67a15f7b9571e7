namespace KafkaRestored.Restore.Offsets;

/// <summary>Result of reading a group's offsets back after a commit.</summary>
public sealed record GroupVerification(string Group, IReadOnlyList<PartitionMismatch> Mismatches)
{
    /// <summary>True when every committed offset read back unchanged.</summary>
    public bool Matches => Mismatches.Count == 0;
}
