namespace KafkaRestored.Restore.Offsets;

/// <summary>A partition whose committed offset read back differs from what was committed (null: nothing committed).</summary>
public sealed record PartitionMismatch(string Topic, int Partition, long Expected, long? Actual);
