namespace KafkaRestored.Restore.Backups;

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
