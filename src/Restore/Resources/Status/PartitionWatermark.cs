namespace KafkaRestored.Restore.Resources.Status;

/// <summary>A partition's log start and high watermark as a backup captured them.</summary>
public sealed record PartitionWatermark(string Topic, int Partition, long LowWatermark, long HighWatermark);
