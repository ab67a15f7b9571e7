namespace KafkaRestored.Restore.Backups.Writing;

/// <summary>When <see cref="BackupWriter"/> starts a new segment of a partition.</summary>
public sealed record BackupWriterOptions
{
    /// <summary>Rotate once a segment's uncompressed body reaches this many bytes (default 64 MiB).</summary>
    public long MaxSegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Rotate once a segment holds this many records (default: no limit).</summary>
    public long MaxSegmentRecords { get; init; } = long.MaxValue;

    /// <summary>Compression level (zstd 1-22, lz4 0-12); null: the codec's default.</summary>
    public int? CompressionLevel { get; init; }

    /// <summary>Folder for segment spool files (default: the system temp folder).</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Clock for <c>created_at</c> and the snapshot time.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
