using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Workflows;

/// <summary>What one scheduled run of a KafkaBackup did: its status details, and why it failed (null: it succeeded) with the Ready message.</summary>
public sealed record KafkaBackupRun(KafkaBackupStatus Details, FailureReason? Failure, string Message);
