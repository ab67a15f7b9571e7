namespace KafkaRestored.Restore.Resources.Status;

/// <summary>A partition whose committed offset read back is not the intended one (Expected null: it should have none; Actual null: it has none).</summary>
public sealed record OffsetMismatch(string Group, string Topic, int Partition, long? Expected, long? Actual);
