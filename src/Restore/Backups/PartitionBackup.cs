namespace KafkaRestored.Restore.Backups;

/// <summary>One partition of a topic: its segments in offset order, and ranges the source had already deleted.</summary>
public sealed record PartitionBackup(int PartitionId, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<BackupGap>? Gaps);
