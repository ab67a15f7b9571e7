using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// spec.retention of a KafkaBackup: among the complete backups this resource wrote (its id pattern AND an owner file
/// naming it), deletes those no rule keeps, never the newest; with dryRun deletes nothing and reports what it would.
/// </summary>
public static class KafkaBackupRetention
{
    /// <summary>
    /// Applies the retention of <paramref name="backup"/> at <paramref name="now"/>, after the run for <paramref name="currentSlot"/>
    /// completed; what was deleted (or would be) and kept. Incomplete backups of this resource from earlier slots (a run that
    /// never finished, a deletion cut short) are deleted too: no later run writes them.
    /// </summary>
    public static async Task<RetentionStatus> ApplyAsync(KafkaBackup backup, IBackupStorage storage, DateTimeOffset now, DateTimeOffset currentSlot,
        CancellationToken ct)
    {
        var rules = backup.Spec.Retention ?? throw new ArgumentException($"{backup.Id} has no spec.retention", nameof(backup));
        var (complete, incomplete) = await OwnedBackupsAsync(backup, storage, ct);
        var doomed = ToDelete(rules, complete, now).Concat(incomplete.Where(b => b.Slot < currentSlot).OrderBy(b => b.Slot).Select(b => b.Id)).ToList();
        if (!rules.DryRun)
        {
            foreach (var id in doomed) await DeleteAsync(storage, id, ct);
        }
        return new RetentionStatus
        {
            Time = now,
            DryRun = rules.DryRun,
            Deleted = new ValueList<string>(doomed),
            Kept = new ValueList<string>(complete.OrderBy(b => b.Slot).Select(b => b.Id).Except(doomed, StringComparer.Ordinal)),
        };
    }

    /// <summary>
    /// The ids to delete, oldest first: a backup is kept when it is one of the newest keepLast or younger than
    /// maxAgeDays (a rule not set keeps nothing); the newest is always kept. <paramref name="backups"/> by slot, any order.
    /// </summary>
    public static IReadOnlyList<string> ToDelete(BackupRetentionSpec rules, IReadOnlyList<(string Id, DateTimeOffset Slot)> backups, DateTimeOffset now)
    {
        if (!rules.Enabled || backups.Count == 0) return [];
        var newestFirst = backups.OrderByDescending(b => b.Slot).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var doomed = new List<(string Id, DateTimeOffset Slot)>();
        for (var i = 1; i < newestFirst.Count; i++)
        {
            var (id, slot) = newestFirst[i];
            var keptByCount = rules.KeepLast is { } n && i < n;
            var keptByAge = rules.MaxAgeDays is { } days && now - slot < TimeSpan.FromDays(days);
            if (!keptByCount && !keptByAge) doomed.Add((id, slot));
        }
        return [.. doomed.OrderBy(b => b.Slot).Select(b => b.Id)];
    }

    /// <summary>The backups <paramref name="backup"/> wrote (the id has its pattern and the owner file names it), complete (with a manifest) and not.</summary>
    public static async Task<(IReadOnlyList<(string Id, DateTimeOffset Slot)> Complete, IReadOnlyList<(string Id, DateTimeOffset Slot)> Incomplete)> OwnedBackupsAsync(
        KafkaBackup backup, IBackupStorage storage, CancellationToken ct)
    {
        var withOwner = new HashSet<string>(StringComparer.Ordinal);
        var withManifest = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var key in storage.ListAsync(KafkaBackupIds.Prefix(backup), ct))
        {
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            var id = key[..slash];
            if (key == BackupKeys.Owner(id)) withOwner.Add(id);
            else if (key == BackupKeys.Manifest(id)) withManifest.Add(id);
        }
        var complete = new List<(string, DateTimeOffset)>();
        var incomplete = new List<(string, DateTimeOffset)>();
        foreach (var id in withOwner.Order(StringComparer.Ordinal))
        {
            if (KafkaBackupIds.SlotOf(backup, id) is not { } slot) continue;
            if (await BackupOwnerStore.TryReadAsync(storage, id, ct) is not { } owner || !IsOwner(backup, owner)) continue;
            (withManifest.Contains(id) ? complete : incomplete).Add((id, slot));
        }
        return (complete, incomplete);
    }

    /// <summary>True when <paramref name="owner"/> names <paramref name="backup"/>.</summary>
    public static bool IsOwner(KafkaBackup backup, BackupOwner owner) =>
        owner.Kind == backup.Kind && owner.Namespace == backup.Metadata.Namespace && owner.Name == backup.Metadata.Name;

    /// <summary>
    /// Deletes every object of <paramref name="backupId"/>: the manifest first (from then on no reader takes it for a complete
    /// backup), the owner file last (until then a crash leaves it recognisably ours, and retention or a slot restart finishes the job).
    /// </summary>
    public static async Task DeleteAsync(IBackupStorage storage, string backupId, CancellationToken ct, bool keepOwner = false)
    {
        var keys = new List<string>();
        await foreach (var key in storage.ListAsync(backupId + "/", ct)) keys.Add(key);
        var manifest = BackupKeys.Manifest(backupId);
        var owner = BackupKeys.Owner(backupId);
        if (keys.Contains(manifest)) await storage.DeleteAsync(manifest, ct);
        foreach (var key in keys.Where(k => k != manifest && k != owner)) await storage.DeleteAsync(key, ct);
        if (!keepOwner && keys.Contains(owner)) await storage.DeleteAsync(owner, ct);
    }
}
