namespace KafkaRestored.Restore.Backups;

/// <summary>
/// <c>{backupId}/manifest.json</c> (SPEC 6), the kafka-backup v0.17 layout: snake_case JSON,
/// unknown fields ignored so newer writers stay readable.
/// </summary>
public sealed record BackupManifest(
    string BackupId,
    long CreatedAt,
    string? SourceClusterId,
    IReadOnlyList<string> SourceBrokers,
    string Compression,
    IReadOnlyList<TopicBackup> Topics);

/// <summary>One topic in a backup.</summary>
public sealed record TopicBackup(string Name, int? OriginalPartitionCount, IReadOnlyList<PartitionBackup> Partitions);

/// <summary>One partition of a topic: its segments in offset order, and ranges the source had already deleted.</summary>
public sealed record PartitionBackup(int PartitionId, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<BackupGap>? Gaps);

/// <summary>
/// One segment object. <see cref="Key"/> is relative to the storage root; offsets are inclusive;
/// timestamps are those of the first and last record in offset order (not min/max).
/// </summary>
public sealed record SegmentInfo(
    string Key,
    long StartOffset,
    long EndOffset,
    long StartTimestamp,
    long EndTimestamp,
    long RecordCount,
    long UncompressedSize,
    long CompressedSize);

/// <summary>Offsets [StartOffset, EndOffset) missing from the backup because the source had deleted them (known loss).</summary>
public sealed record BackupGap(long StartOffset, long EndOffset, string? Reason, long? DetectedAt);
