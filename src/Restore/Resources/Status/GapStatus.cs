namespace KafkaRestored.Restore.Resources.Status;

/// <summary>A range of offsets missing from the backup: [StartOffset, EndOffset).</summary>
public sealed record GapStatus(string Topic, int Partition, long StartOffset, long EndOffset, string Reason);
