using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage.Azure;
using KafkaRestored.Restore.Storage.Gcs;
using KafkaRestored.Restore.Storage.S3;

namespace KafkaRestored.Restore.Storage;

/// <summary>Opens the storage a validated <see cref="StorageSpec"/> names.</summary>
public static class BackupStorageFactory
{
    /// <summary>S3 (credentials from the secret or the SDK default chain), Azure Blob Storage (account key, SAS token or ambient credential), Google Cloud Storage (service account key or application default credentials) or a filesystem folder.</summary>
    /// <exception cref="KafkaRestoredException">SecretNotFound when the credentials secret cannot be read.</exception>
    public static IBackupStorage Create(StorageSpec spec, SecretStore secrets) => spec.StorageType switch
    {
        StorageType.S3 => S3BackupStorage.Create(
            spec.S3 ?? throw new ArgumentException("storage type s3 needs the s3 section", nameof(spec)), secrets),
        StorageType.Azure => AzureBlobBackupStorage.Create(
            spec.Azure ?? throw new ArgumentException("storage type azure needs the azure section", nameof(spec)), secrets),
        StorageType.Gcs => GcsBackupStorage.Create(
            spec.Gcs ?? throw new ArgumentException("storage type gcs needs the gcs section", nameof(spec)), secrets),
        StorageType.Filesystem => new FilesystemBackupStorage(
            (spec.Filesystem ?? throw new ArgumentException("storage type filesystem needs the filesystem section", nameof(spec))).Path),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.StorageType, "unknown storage type"),
    };
}
