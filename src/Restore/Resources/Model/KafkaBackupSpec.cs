using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Resources.Model;

/// <summary>spec of a KafkaBackup, with the OSO operator's field names. Every field validated; the schedule parsed once by the validator and kept as written.</summary>
public sealed record KafkaBackupSpec(
    KafkaClusterSpec KafkaCluster,
    ValueList<string> Topics,
    StorageSpec Storage,
    BackupCompression Compression,
    int? CompressionLevel,
    long SegmentMaxBytes,
    bool IncludeOffsetHeaders,
    string? SourceClusterId,
    ConsumerGroupSnapshotSpec? ConsumerGroupSnapshot,
    string Schedule,
    string? TimeZone,
    BackupRetentionSpec? Retention)
{
    /// <summary>segmentMaxBytes when not given: 64 MiB, as the backup command.</summary>
    public const long DefaultSegmentMaxBytes = 64L * 1024 * 1024;
}
