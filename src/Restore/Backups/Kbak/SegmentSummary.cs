namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>What a fully verified segment holds.</summary>
public sealed record SegmentSummary(
    BackupCompression Compression,
    long RecordCount,
    long FirstOffset,
    long LastOffset,
    long FirstTimestamp,
    long LastTimestamp,
    long UncompressedSize,
    long ObjectSize);
