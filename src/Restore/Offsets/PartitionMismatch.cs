namespace KafkaRestored.Restore.Offsets;

/// <summary>A partition whose committed offset read back differs from what was intended (null: no committed offset).</summary>
public sealed record PartitionMismatch(string Topic, int Partition, long? Expected, long? Actual);
