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
