using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Storage;

/// <summary>A backup object that should exist does not (reason "BackupObjectNotFound").</summary>
public sealed class BackupObjectNotFoundException : KafkaRestoredException
{
    /// <summary>Creates the error for <paramref name="key"/> at <paramref name="location"/>.</summary>
    public BackupObjectNotFoundException(string key, string location, Exception? inner = null)
        : base(FailureReason.BackupObjectNotFound,
            $"backup object {location} does not exist; check the storage location and backupId, and that the backup was not partly deleted.",
            inner)
    {
        Key = key;
        Location = location;
    }

    /// <summary>The key relative to the storage root.</summary>
    public string Key { get; }

    /// <summary>The full location (path or s3:// URL).</summary>
    public string Location { get; }
}
