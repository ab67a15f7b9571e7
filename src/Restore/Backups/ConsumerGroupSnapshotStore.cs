using System.Text.Json;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups;

/// <summary>Reads and writes <c>consumer-groups-snapshot.json</c>.</summary>
public static class ConsumerGroupSnapshotStore
{
    /// <summary>The snapshot of <paramref name="backupId"/>, or null when the backup has none.</summary>
    /// <exception cref="KafkaRestoredException">Reason InvalidConsumerGroupSnapshot when the file is not valid JSON.</exception>
    public static async Task<ConsumerGroupSnapshot?> TryReadAsync(IBackupStorage storage, string backupId, CancellationToken ct)
    {
        var key = BackupKeys.ConsumerGroups(backupId);
        Stream stream;
        try
        {
            stream = await storage.OpenReadAsync(key, ct);
        }
        catch (BackupObjectNotFoundException)
        {
            return null;
        }
        await using (stream)
        {
            try
            {
                return await JsonSerializer.DeserializeAsync<ConsumerGroupSnapshot>(stream, BackupJson.Options, ct)
                    ?? throw new JsonException("the document is null");
            }
            catch (JsonException e)
            {
                throw new KafkaRestoredException(FailureReason.InvalidConsumerGroupSnapshot,
                    $"consumer group snapshot {storage.Describe(key)} is not valid: {e.Message}; fix or delete the file.", e);
            }
        }
    }

    /// <summary>Writes (replaces) the snapshot of <paramref name="backupId"/>.</summary>
    public static async Task WriteAsync(IBackupStorage storage, string backupId, ConsumerGroupSnapshot snapshot, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await JsonSerializer.SerializeAsync(buffer, snapshot, BackupJson.Options, ct);
        buffer.Position = 0;
        await storage.WriteAsync(BackupKeys.ConsumerGroups(backupId), buffer, ct);
    }
}
