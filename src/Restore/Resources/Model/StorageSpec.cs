namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Where the backup lives.</summary>
public sealed record StorageSpec(StorageType StorageType, S3StorageSpec? S3, FilesystemStorageSpec? Filesystem, AzureStorageSpec? Azure = null, GcsStorageSpec? Gcs = null);
