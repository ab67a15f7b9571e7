namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>One Kafka record as stored in a segment. Null and empty keys, values and header values are distinct.</summary>
public sealed class BackupRecord
{
    /// <summary>Offset in the source partition.</summary>
    public required long Offset { get; init; }

    /// <summary>Timestamp in Unix milliseconds, as read from the source.</summary>
    public required long Timestamp { get; init; }

    /// <summary>Key bytes; null when the record had no key.</summary>
    public byte[]? Key { get; init; }

    /// <summary>Value bytes; null for a tombstone.</summary>
    public byte[]? Value { get; init; }

    /// <summary>Headers in their original order, duplicates kept.</summary>
    public IReadOnlyList<BackupHeader> Headers { get; init; } = [];
}

/// <summary>One record header; a null value is distinct from an empty one.</summary>
public readonly record struct BackupHeader(string Key, byte[]? Value);

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
