namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>The compression byte of a segment header.</summary>
public enum BackupCompression
{
    /// <summary>Body stored as is.</summary>
    None = 0,

    /// <summary>Body is one zstd frame.</summary>
    Zstd = 1,

    /// <summary>Body is a u32 uncompressed length and one raw LZ4 block.</summary>
    Lz4 = 2,
}
