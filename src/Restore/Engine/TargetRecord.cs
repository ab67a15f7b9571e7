namespace KafkaRestored.Restore.Engine;

/// <summary>Timestamp, key and value of a record read back from the target.</summary>
internal sealed record TargetRecord(long Offset, long Timestamp, byte[]? Key, byte[]? Value);
