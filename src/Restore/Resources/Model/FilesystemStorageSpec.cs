namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A local or mounted folder holding backups (extension).</summary>
public sealed record FilesystemStorageSpec(string Path);
