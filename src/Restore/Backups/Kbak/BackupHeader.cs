namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>One record header; a null value is distinct from an empty one.</summary>
public readonly record struct BackupHeader(string Key, byte[]? Value);
