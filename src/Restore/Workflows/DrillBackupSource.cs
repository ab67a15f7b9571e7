using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// Which backup a drill restores: its spec.backupId in its spec.storage, or, for spec.backupRef, the newest complete backup
/// the referenced KafkaBackup wrote, found by listing that KafkaBackup's storage (its id pattern, an owner file naming it and
/// a manifest: <see cref="KafkaBackupRetention.OwnedBackupsAsync"/>). The storage is the truth rather than the KafkaBackup's
/// status: a status can lag (a crash after the manifest, a commit not yet pushed) or name a backup retention or a person
/// has since deleted; the listing sees exactly what is there to restore.
/// </summary>
public static class DrillBackupSource
{
    /// <summary>
    /// The backup id and storage <paramref name="drill"/> restores. <paramref name="resolve"/> gives the KafkaBackup spec.backupRef
    /// names (throwing <see cref="FailureReason.BackupRefUnresolved"/> when it has none); null where no repository is known (the CLI).
    /// The referenced storage is checked against <paramref name="policy"/> for the drill's namespace before anything is listed.
    /// </summary>
    public static async Task<(string BackupId, StorageSpec Storage)> ResolveAsync(KafkaRestoreDrill drill, Func<BackupRef, KafkaBackup>? resolve,
        HostPolicy? policy, SecretStore secrets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(drill);
        if (drill.Spec.BackupRef is not { } backupRef) return (drill.Spec.BackupId!, drill.Spec.Storage!);
        var named = $"KafkaBackup {backupRef.Namespace}/{backupRef.Name}";
        if (resolve is null)
        {
            throw new KafkaRestoredException(FailureReason.BackupRefUnresolved,
                $"spec.backupRef names {named}, which only the daemon resolves (from the repository); nothing was read or written. " +
                "To run this drill by hand, name the backup with spec.backupId and spec.storage instead.");
        }
        var backup = resolve(backupRef);
        if (backup.Metadata.Namespace != drill.Metadata.Namespace)
            throw new ArgumentException($"{named} is not in the drill's namespace {drill.Metadata.Namespace}; validation refuses that", nameof(drill));
        if (policy is not null && PolicyEvaluator.Storage(policy, drill.Metadata.Namespace, backup.Spec.Storage, "spec.storage") is { Count: > 0 } denials)
        {
            throw new KafkaRestoredException(FailureReason.PolicyDenied,
                $"spec.backupRef names {named}, whose storage the host policy denies to namespace {drill.Metadata.Namespace}; nothing was read or written: " +
                string.Join("; ", denials.Select(d => $"{named} {d}")));
        }
        var storage = BackupStorageFactory.Create(backup.Spec.Storage, secrets);
        try
        {
            var (complete, _) = await KafkaBackupRetention.OwnedBackupsAsync(backup, storage, ct);
            if (complete.Count == 0)
            {
                throw new KafkaRestoredException(FailureReason.BackupRefUnresolved,
                    $"spec.backupRef names {named}, which has no completed backup yet in {storage.Describe(KafkaBackupIds.Prefix(backup) + "*")}; nothing was restored. " +
                    "The drill runs again at its next scheduled time; schedule it after the KafkaBackup's first run (or set the kafka.oso.sh/rerun annotation once a backup has completed).");
            }
            var newest = complete.OrderByDescending(b => b.Slot).ThenByDescending(b => b.Id, StringComparer.Ordinal).First();
            return (newest.Id, backup.Spec.Storage);
        }
        finally
        {
            (storage as IDisposable)?.Dispose();
        }
    }
}
