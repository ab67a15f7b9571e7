using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// The offset steps of a KafkaRestore: the rollback snapshot before any record is written
/// (<c>rollback.enabled</c>) and the offset reset after a verified restore (<c>offsetReset.enabled</c>).
/// </summary>
public static class RestoreOffsets
{
    /// <summary>Snapshot id used when <c>rollback.snapshotId</c> is not given.</summary>
    public static string DefaultSnapshotId(KafkaRestore restore) => $"{restore.Metadata.Name}-pre-restore";

    /// <summary>
    /// When <c>rollback.enabled</c>, records the committed offsets of <c>offsetReset.consumerGroups</c>
    /// on <paramref name="targetTopics"/> (topics that do not exist yet simply have none) and saves
    /// the snapshot. Call before the restore writes anything. Returns null when rollback is off.
    /// </summary>
    /// <exception cref="KafkaRestoredException">SnapshotExists (ids are never reused), ClusterUnreachable.</exception>
    public static async Task<OffsetSnapshot?> SnapshotBeforeRestoreAsync(KafkaRestore restore, IReadOnlyList<string> targetTopics,
        IOffsetSnapshotStore store, SecretStore secrets, TimeProvider time, CancellationToken ct)
    {
        if (restore.Spec.Rollback is not { Enabled: true } rollback) return null;
        var id = rollback.SnapshotId ?? DefaultSnapshotId(restore);
        OffsetSnapshot.ValidateId(id);
        if (store.Get(id) is { } existing) throw OffsetSnapshotErrors.Exists(existing);
        var groups = restore.Spec.OffsetReset?.ConsumerGroups ?? ValueList<string>.Empty;
        var snapshot = await new OffsetSnapshotter(restore.Spec.TargetCluster, secrets, time)
            .TakeAsync(id, restore.Id, groups, targetTopics, ct);
        store.Save(snapshot);
        return snapshot;
    }

    /// <summary>
    /// The snapshot step as the daemon and <c>restore -f</c> run it: plans the restore's target topics
    /// from the backup's manifest, and keeps the snapshot this restore already took (a retry or resume
    /// must not replace the offsets from before the first write). Returns the id, or null when rollback is off.
    /// </summary>
    /// <exception cref="KafkaRestoredException">SnapshotExists (taken by another resource), InvalidSnapshotId, BackupNotFound, ClusterUnreachable...</exception>
    public static async Task<string?> SnapshotBeforeWritingAsync(KafkaRestore restore, IOffsetSnapshotStore store, SecretStore secrets,
        TimeProvider time, CancellationToken ct)
    {
        if (restore.Spec.Rollback is not { Enabled: true } rollback) return null;
        var id = rollback.SnapshotId ?? DefaultSnapshotId(restore);
        if (store.Get(id) is { } existing && existing.Source == restore.Id) return id;
        var storage = BackupStorageFactory.Create(restore.Spec.Storage, secrets);
        var manifest = await BackupManifestStore.ReadAsync(storage, restore.Spec.BackupId, ct);
        var targets = RestorePlanner.Plan(manifest, restore.Spec).Topics.Select(t => t.TargetTopic).Distinct(StringComparer.Ordinal).ToList();
        var snapshot = await SnapshotBeforeRestoreAsync(restore, targets, store, secrets, time, ct);
        return snapshot?.Id;
    }

    /// <summary>Ready reason of a completed restore whose offset reset left some groups unreset.</summary>
    public const string OffsetResetIncompleteReason = "OffsetResetIncomplete";

    /// <summary>
    /// The Ready reason and message of a completed restore once its offset reset ran. The data is
    /// restored and verified either way (phase Completed, not retried), but groups that could not be
    /// reset turn the reason into <see cref="OffsetResetIncompleteReason"/> and are named, so the
    /// commit subject, <c>kafka-restored status</c> and alerts on the reason show it, not only
    /// <c>offsetResetStatus</c>.
    /// </summary>
    public static (string Reason, string Message) CompletedCondition(string reason, string message, OffsetResetStatus? offsets) =>
        offsets is { GroupsFailed.Count: > 0 } o
            ? (OffsetResetIncompleteReason,
                $"{message.TrimEnd('.')}; the offsets of consumer group(s) {string.Join(", ", o.GroupsFailed.Select(g => g.Group))} were not reset " +
                "(offsetResetStatus says why): fix the cause, then reset them with a KafkaOffsetReset.")
            : (reason, message);

    /// <summary>
    /// <see cref="ResetAfterRestoreAsync"/> as the restore's <c>offsetResetStatus</c> and notes. A reset
    /// that cannot run at all fails every group with its reason: the data is restored and verified, so
    /// the reset is reported, not retried with the restore. Null status when offset reset is off.
    /// </summary>
    public static async Task<(OffsetResetStatus? Status, IReadOnlyList<string> Notes)> ResetStatusAfterRestoreAsync(KafkaRestore restore,
        IReadOnlyList<PartitionOffsetMap> offsetMaps, SecretStore secrets, CancellationToken ct)
    {
        try
        {
            var reset = await ResetAfterRestoreAsync(restore, offsetMaps, secrets, null, ct);
            return reset is null ? (null, []) : (OffsetStatusMapping.ToRestoreStatus(reset), reset.Notes);
        }
        catch (KafkaRestoredException e) when (restore.Spec.OffsetReset is { } reset)
        {
            return (new OffsetResetStatus(ResourcePhase.Failed, ValueList<string>.Empty,
                new(reset.ConsumerGroups.Select(g => new GroupFailure(g, e.Reason, e.Message)))), []);
        }
    }

    /// <summary>
    /// When <c>offsetReset.enabled</c>, resets <c>offsetReset.consumerGroups</c> on exactly the
    /// partitions the restore touched (<paramref name="offsetMaps"/>, one per target partition),
    /// translating headerBased positions with those maps. Call after a verified restore.
    /// Returns null when offset reset is off.
    /// </summary>
    /// <param name="restore">The restore that ran.</param>
    /// <param name="offsetMaps">The restore's offset maps.</param>
    /// <param name="secrets">Secrets for the cluster and the storage.</param>
    /// <param name="storage">Where the backup is (for headerBased); null opens spec.storage.</param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="KafkaRestoredException">The reset cannot run at all (consumer-group snapshot missing, cluster unreachable...).</exception>
    public static async Task<OffsetResetResult?> ResetAfterRestoreAsync(KafkaRestore restore, IReadOnlyList<PartitionOffsetMap> offsetMaps,
        SecretStore secrets, IBackupStorage? storage, CancellationToken ct)
    {
        var spec = restore.Spec;
        if (spec.OffsetReset is not { Enabled: true } reset) return null;
        if (offsetMaps.Count == 0 || reset.ConsumerGroups.Count == 0)
            return new OffsetResetResult([], [], [], [],
                [offsetMaps.Count == 0 ? "the restore touched no partition; no offsets were reset." : "offsetReset.consumerGroups is empty; no offsets were reset."], null);
        SourceCommittedOffsets? source = null;
        if (reset.Strategy == OffsetResetStrategy.HeaderBased)
            source = await SourceCommittedOffsets.ReadAsync(storage ?? BackupStorageFactory.Create(spec.Storage, secrets), spec.BackupId, ct);
        return await new OffsetResetter(spec.TargetCluster, secrets).ResetAsync(new OffsetResetRequest
        {
            Strategy = reset.Strategy,
            Groups = reset.ConsumerGroups,
            OffsetMaps = offsetMaps,
            Timestamp = reset.Timestamp,
            Offset = reset.Offset,
            SourceCluster = reset.SourceCluster,
            TopicMapping = spec.TopicMapping,
            SourceOffsets = source,
        }, ct);
    }
}
