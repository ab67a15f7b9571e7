namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>Names and file extensions of <see cref="BackupCompression"/> values.</summary>
public static class BackupCompressions
{
    /// <summary>The manifest's name: "none", "zstd" or "lz4".</summary>
    public static string ManifestName(this BackupCompression c) => c switch
    {
        BackupCompression.None => "none",
        BackupCompression.Zstd => "zstd",
        BackupCompression.Lz4 => "lz4",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "unknown compression"),
    };

    /// <summary>Segment key extension: ".bin", ".bin.zst" or ".bin.lz4".</summary>
    public static string SegmentExtension(this BackupCompression c) => c switch
    {
        BackupCompression.None => ".bin",
        BackupCompression.Zstd => ".bin.zst",
        BackupCompression.Lz4 => ".bin.lz4",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, "unknown compression"),
    };

    /// <summary>Parses "none", "zstd" or "lz4" (case-insensitive); null when unknown.</summary>
    public static BackupCompression? TryParse(string? name) => name?.ToLowerInvariant() switch
    {
        "none" => BackupCompression.None,
        "zstd" => BackupCompression.Zstd,
        "lz4" => BackupCompression.Lz4,
        _ => null,
    };
}
