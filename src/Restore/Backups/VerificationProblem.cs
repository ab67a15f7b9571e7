namespace KafkaRestored.Restore.Backups;

/// <summary>One thing wrong with a backup found by <see cref="BackupStatistics.VerifyAsync"/>.</summary>
public sealed record VerificationProblem(string Key, string Reason, string Message);
