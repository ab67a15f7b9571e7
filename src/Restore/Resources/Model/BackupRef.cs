namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A KafkaBackup by name (spec.backupRef of a drill): its newest completed backup.</summary>
public sealed record BackupRef(string Name, string Namespace);
