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
