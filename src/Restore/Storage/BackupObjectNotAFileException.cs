using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage;

/// <summary>
/// A backup object in a folder that is not a regular file (a FIFO, device, socket), refused before it
/// is opened, since opening or reading it could block for ever: reason "InvalidBackupManifest" for
/// the manifest, "StorageUnavailable" for any other object.
/// </summary>
public sealed class BackupObjectNotAFileException : KafkaRestoredException
{
    /// <summary>Creates the error for <paramref name="key"/> at <paramref name="location"/>, which is <paramref name="kind"/>.</summary>
    public BackupObjectNotAFileException(string key, string location, string kind)
        : base(key.EndsWith("/manifest.json", StringComparison.Ordinal) ? FailureReason.InvalidBackupManifest : FailureReason.StorageUnavailable,
            $"backup object {location} is {kind}, not a regular file, so it was not opened (reading it could block for ever); " +
            "a backup holds only regular files: put back the file the backup wrote, or check the storage path.")
    {
        Key = key;
        Location = location;
    }

    /// <summary>The key relative to the storage root.</summary>
    public string Key { get; }

    /// <summary>The full path.</summary>
    public string Location { get; }
}
