namespace KafkaRestored.Restore.Engine;

/// <summary>
/// Verification of one target partition: <see cref="Written"/> is read back from the target's
/// end offset (end − start), <see cref="Selected"/> counted from the backup (PITR applied).
/// </summary>
public sealed record PartitionVerification(
    string SourceTopic,
    string TargetTopic,
    int Partition,
    long Selected,
    long Written,
    long TargetStartOffset,
    long TargetEndOffset)
{
    /// <summary>Written equals selected.</summary>
    public bool Verified => Selected == Written;
}
