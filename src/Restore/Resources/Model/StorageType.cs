namespace KafkaRestored.Restore.Resources.Model;

/// <summary>storageType values.</summary>
public enum StorageType
{
    /// <summary>Amazon S3 or an S3-compatible store.</summary>
    S3,

    /// <summary>A local or mounted folder.</summary>
    Filesystem,

    /// <summary>Azure Blob Storage (or an emulator such as Azurite).</summary>
    Azure,

    /// <summary>Google Cloud Storage (or an emulator serving its JSON API).</summary>
    Gcs,
}
