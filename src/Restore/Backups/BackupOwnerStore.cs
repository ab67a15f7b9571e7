using System.Text.Json;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups;

/// <summary>Reads and writes a backup's owner file (<see cref="BackupKeys.Owner"/>).</summary>
public static class BackupOwnerStore
{
    /// <summary>The owner of <paramref name="backupId"/>; null when it has no owner file or one that does not parse (then it is nobody's to delete).</summary>
    public static async Task<BackupOwner?> TryReadAsync(IBackupStorage storage, string backupId, CancellationToken ct)
    {
        Stream stream;
        try
        {
            stream = await storage.OpenReadAsync(BackupKeys.Owner(backupId), ct);
        }
        catch (BackupObjectNotFoundException)
        {
            return null;
        }
        await using (stream)
        {
            try
            {
                var owner = await JsonSerializer.DeserializeAsync<BackupOwner>(stream, BackupJson.Options, ct);
                return owner is { Kind: not null, Namespace: not null, Name: not null, BackupId: not null } && owner.BackupId == backupId ? owner : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>Writes the owner file of <see cref="BackupOwner.BackupId"/>.</summary>
    public static async Task WriteAsync(IBackupStorage storage, BackupOwner owner, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await JsonSerializer.SerializeAsync(buffer, owner, BackupJson.Options, ct);
        buffer.Position = 0;
        await storage.WriteAsync(BackupKeys.Owner(owner.BackupId), buffer, ct);
    }
}
