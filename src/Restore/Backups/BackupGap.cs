namespace KafkaRestored.Restore.Backups;

/// <summary>Offsets [StartOffset, EndOffset) missing from the backup because the source had deleted them (known loss).</summary>
public sealed record BackupGap(long StartOffset, long EndOffset, string? Reason, long? DetectedAt);
