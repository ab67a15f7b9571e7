using Confluent.Kafka;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Runs a KafkaOffsetRollback (SPEC 3.2): <c>rollback</c> re-commits a snapshot's offsets for
/// the listed groups and reads them back; <c>snapshot</c> records the groups' current offsets.
/// </summary>
public sealed class KafkaOffsetRollbackExecutor
{
    private readonly SecretStore _secrets;
    private readonly IOffsetSnapshotStore _snapshots;
    private readonly TimeProvider _time;

    /// <summary>Creates the executor over a snapshot store.</summary>
    public KafkaOffsetRollbackExecutor(SecretStore secrets, IOffsetSnapshotStore snapshots, TimeProvider? time = null)
    {
        _secrets = secrets;
        _snapshots = snapshots;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Test hook: runs between a group's commit and its read-back.</summary>
    internal Func<string, CancellationToken, Task>? BeforeReadBack { get; init; }

    /// <summary>Client request timeout.</summary>
    internal TimeSpan? Timeout { get; init; }

    /// <summary>Runs the operation <paramref name="spec"/> describes for the resource <paramref name="id"/> (named in messages and the snapshot).</summary>
    /// <exception cref="KafkaRestoredException">SnapshotNotFound, SnapshotExists, GroupNotInSnapshot, NoConsumerGroups, ClusterUnreachable...</exception>
    public Task<OffsetRollbackResult> ExecuteAsync(KafkaOffsetRollbackSpec spec, ResourceId id, CancellationToken ct) =>
        spec.Operation == RollbackOperation.Snapshot
            ? SnapshotAsync(spec, id, ct)
            : RollbackAsync(spec, id, ct);

    private async Task<OffsetRollbackResult> SnapshotAsync(KafkaOffsetRollbackSpec spec, ResourceId id, CancellationToken ct)
    {
        if (spec.ConsumerGroups.Count == 0)
            throw new KafkaRestoredException(FailureReason.NoConsumerGroups,
                $"{id}: operation snapshot needs consumerGroups (groups are never listed from the cluster); list the groups to record.");
        OffsetSnapshot.ValidateId(spec.SnapshotId);
        if (_snapshots.Get(spec.SnapshotId) is { } existing) throw OffsetSnapshotErrors.Exists(existing);
        var snapshot = await new OffsetSnapshotter(spec.KafkaCluster, _secrets, _time) { Timeout = Timeout }
            .TakeAsync(spec.SnapshotId, id, spec.ConsumerGroups, null, ct);
        _snapshots.Save(snapshot);
        var notes = spec.ConsumerGroups.Where(g => snapshot.OffsetsOf(g).Count == 0)
            .Select(g => $"group '{g}' had no committed offsets on any topic; recorded as empty.").ToList();
        return new OffsetRollbackResult(RollbackOperation.Snapshot, spec.SnapshotId, [], [.. snapshot.Groups], [], [], notes);
    }

    private async Task<OffsetRollbackResult> RollbackAsync(KafkaOffsetRollbackSpec spec, ResourceId id, CancellationToken ct)
    {
        OffsetSnapshot.ValidateId(spec.SnapshotId);
        var snapshot = _snapshots.Get(spec.SnapshotId) ?? throw OffsetSnapshotErrors.NotFound(spec.SnapshotId, "the state store");
        var groups = spec.ConsumerGroups.Count > 0 ? spec.ConsumerGroups.Distinct(StringComparer.Ordinal).ToList() : [.. snapshot.Groups];
        var unknown = groups.Where(g => !snapshot.Contains(g)).ToList();
        if (unknown.Count > 0)
            throw new KafkaRestoredException(FailureReason.GroupNotInSnapshot,
                $"{id}: consumer group(s) {string.Join(", ", unknown.Select(g => $"'{g}'"))} are not in snapshot '{snapshot.Id}', " +
                $"which holds {(snapshot.Groups.Count == 0 ? "no groups" : string.Join(", ", snapshot.Groups))}; nothing was rolled back. Fix consumerGroups.");

        using var client = new KafkaOffsetsClient(spec.KafkaCluster, _secrets, Timeout);
        var committer = new GroupOffsetCommitter(client, BeforeReadBack);
        var rolledBack = new List<string>();
        var failed = new List<GroupFailure>();
        var verification = new List<GroupVerification>();
        var notes = new List<string>();
        var scope = SnapshotScope(client, snapshot);
        foreach (var group in groups)
        {
            ct.ThrowIfCancellationRequested();
            var offsets = snapshot.OffsetsOf(group).ToDictionary(o => new TopicPartition(o.Topic, o.Partition), o => o.Offset);
            // Offsets committed since on partitions the group had none on cannot be taken back
            // without deleting them, which this tool never does: say so.
            var extra = (await client.CommittedAsync(group, scope.Where(tp => !offsets.ContainsKey(tp)), ct))
                .Select(e => $"{e.Key.Topic}[{e.Key.Partition.Value}]@{e.Value}").ToList();
            if (extra.Count > 0)
                notes.Add($"group '{group}' now has committed offsets where the snapshot had none ({string.Join(", ", extra)}); they were left as they are (delete them with kafka-consumer-groups --delete-offsets if needed).");
            if (offsets.Count == 0)
            {
                notes.Add($"group '{group}' had no committed offsets in snapshot '{snapshot.Id}'; nothing to re-commit.");
                rolledBack.Add(group);
                verification.Add(new GroupVerification(group, []));
                continue;
            }
            var outcome = await committer.CommitAndVerifyAsync(group, offsets, ct);
            if (outcome.Verification is not null) verification.Add(outcome.Verification);
            if (outcome.Failure is not null) failed.Add(outcome.Failure);
            else rolledBack.Add(group);
        }
        return new OffsetRollbackResult(RollbackOperation.Rollback, snapshot.Id, rolledBack, [], failed, verification, notes);
    }

    private static List<TopicPartition> SnapshotScope(KafkaOffsetsClient client, OffsetSnapshot snapshot) =>
        [.. client.ExistingPartitions(snapshot.Topics)];
}
