namespace KafkaRestored.Restore.Engine;

/// <summary>A known loss reported in status: source offsets [StartOffset, EndOffset) were gone before the backup ran.</summary>
public sealed record GapReport(string SourceTopic, string TargetTopic, int Partition, long StartOffset, long EndOffset, string? Reason);
