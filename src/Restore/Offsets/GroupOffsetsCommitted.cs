namespace KafkaRestored.Restore.Offsets;

/// <summary>The offsets committed for one group (as read back from the cluster).</summary>
public sealed record GroupOffsetsCommitted(string Group, IReadOnlyList<PartitionOffset> Offsets);
