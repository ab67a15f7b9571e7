using System.Text.Json;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups;

/// <summary>Reads and writes <c>manifest.json</c>.</summary>
public static class BackupManifestStore
{
    /// <summary>Reads the manifest of <paramref name="backupId"/>.</summary>
    /// <remarks>
    /// The manifest is untrusted input: every segment key must lie under <c>{backupId}/</c> (no
    /// '..', no absolute key, no link leading out of the folder) and every topic name must be one
    /// Kafka allows. Both are checked here, before any segment is opened or anything is written.
    /// </remarks>
    /// <exception cref="KafkaRestoredException">Reason BackupNotFound (no manifest) or InvalidBackupManifest (unreadable JSON, a key leaving the backup's folder, an illegal topic name).</exception>
    public static async Task<BackupManifest> ReadAsync(IBackupStorage storage, string backupId, CancellationToken ct)
    {
        var key = BackupKeys.Manifest(backupId);
        Stream stream;
        try
        {
            stream = await storage.OpenReadAsync(key, ct);
        }
        catch (BackupObjectNotFoundException e)
        {
            throw new KafkaRestoredException(FailureReason.BackupNotFound,
                $"backup '{backupId}' not found: {storage.Describe(key)} does not exist; check backupId and the storage location (bucket, prefix or path).", e);
        }
        await using (stream)
        {
            BackupManifest? manifest;
            try
            {
                manifest = await JsonSerializer.DeserializeAsync<BackupManifest>(stream, BackupJson.Options, ct);
            }
            catch (JsonException e)
            {
                throw new KafkaRestoredException(FailureReason.InvalidBackupManifest,
                    $"backup manifest {storage.Describe(key)} is not valid: {e.Message}; the backup may be damaged or written by an incompatible tool.", e);
            }
            var normalized = Normalize(manifest, storage.Describe(key));
            // On a folder this reads links (a hung mount blocks): given up when ct is cancelled.
            await AbandonableFileCalls.RunAsync(() => CheckKeys(normalized, storage, backupId, storage.Describe(key)), ct);
            return normalized;
        }
    }

    /// <summary>Every segment key lies under <c>{backupId}/</c>, lexically and (on a filesystem) through links.</summary>
    private static void CheckKeys(BackupManifest manifest, IBackupStorage storage, string backupId, string location)
    {
        var folder = backupId + "/";
        foreach (var segment in manifest.Topics.SelectMany(t => t.Partitions).SelectMany(p => p.Segments))
        {
            if (!segment.Key.StartsWith(folder, StringComparison.Ordinal) || !StorageKeys.IsSafe(segment.Key))
                throw new BackupKeyOutsideFolderException(segment.Key, backupId, location);
            storage.CheckInsideFolder(segment.Key);
        }
    }

    /// <summary>Kafka's topic name rule: 1 to 249 characters of [a-zA-Z0-9._-], and not "." or "..".</summary>
    public static bool IsLegalTopicName(string name) =>
        name.Length is > 0 and <= MaxTopicNameLength && name != "." && name != ".."
        && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-');

    /// <summary>Longest topic name Kafka accepts.</summary>
    public const int MaxTopicNameLength = 249;

    /// <summary>Checks the fields a restore cannot do without and turns absent lists into empty ones.</summary>
    private static BackupManifest Normalize(BackupManifest? m, string location)
    {
        static KafkaRestoredException Invalid(string location, string what) => new(FailureReason.InvalidBackupManifest,
            $"backup manifest {location} is not valid: {what}; the backup may be damaged or written by an incompatible tool.");
        if (m is null) throw Invalid(location, "the document is null");
        if (string.IsNullOrEmpty(m.BackupId)) throw Invalid(location, "backup_id is missing");
        var topics = new List<TopicBackup>();
        foreach (var t in m.Topics ?? [])
        {
            if (t is null || string.IsNullOrEmpty(t.Name)) throw Invalid(location, "a topic has no name (Kafka topic names have 1 to 249 characters)");
            if (!IsLegalTopicName(t.Name))
            {
                throw Invalid(location, $"topic name '{BackupKeyOutsideFolderException.Printable(t.Name, 64)}' is not one Kafka allows "
                    + $"(1 to {MaxTopicNameLength} characters of a-z, A-Z, 0-9, '.', '_' and '-', and not '.' or '..'), so nothing is created or written for it");
            }
            var partitions = new List<PartitionBackup>();
            foreach (var p in t.Partitions ?? [])
            {
                if (p is null) throw Invalid(location, $"topic '{t.Name}' has a null partition");
                var segments = p.Segments ?? [];
                foreach (var s in segments)
                {
                    if (s is null || string.IsNullOrEmpty(s.Key))
                        throw Invalid(location, $"topic '{t.Name}' partition {p.PartitionId} has a segment without a key");
                }
                partitions.Add(p with { Segments = segments });
            }
            topics.Add(t with { Partitions = partitions });
        }
        return m with { SourceBrokers = m.SourceBrokers ?? [], Compression = m.Compression ?? "none", Topics = topics };
    }

    /// <summary>Writes (replaces) the manifest of <see cref="BackupManifest.BackupId"/>.</summary>
    public static async Task WriteAsync(IBackupStorage storage, BackupManifest manifest, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await JsonSerializer.SerializeAsync(buffer, manifest, BackupJson.Options, ct);
        buffer.Position = 0;
        await storage.WriteAsync(BackupKeys.Manifest(manifest.BackupId), buffer, ct);
    }
}
