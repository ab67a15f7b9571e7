namespace KafkaRestored.Restore.Resources.Model;

/// <summary>
/// spec.retention of a KafkaBackup: which of its own completed backups to delete after each run. A backup is kept
/// when any rule keeps it (one of the newest <see cref="KeepLast"/>, or younger than <see cref="MaxAgeDays"/>); the
/// newest is always kept; with <see cref="DryRun"/> nothing is deleted, only reported.
/// </summary>
public sealed record BackupRetentionSpec(bool Enabled, int? MaxAgeDays, int? KeepLast, bool DryRun);
