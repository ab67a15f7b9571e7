namespace KafkaRestored.Restore.Resources.Status;

/// <summary>A partition whose committed offset after rollback is not the snapshot's.</summary>
public sealed record OffsetMismatch(string Group, string Topic, int Partition, long Expected, long? Actual);
