using Confluent.Kafka;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Runs a KafkaOffsetRollback (SPEC 3.2): <c>rollback</c> returns the listed groups to a
/// snapshot (its offsets re-committed, offsets it did not have deleted) and reads them back;
/// <c>snapshot</c> records the groups' current offsets.
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
        var reasons = new List<FailureReason>();
        var verification = new List<GroupVerification>();
        var notes = new List<string>();
        var scope = SnapshotScope(client, snapshot);
        foreach (var group in groups)
        {
            ct.ThrowIfCancellationRequested();
            var offsets = snapshot.OffsetsOf(group).ToDictionary(o => new TopicPartition(o.Topic, o.Partition), o => o.Offset);
            // Back to the snapshot exactly: its offsets re-committed, offsets it did not have deleted, all read back.
            var outcome = await committer.ReturnToSnapshotAsync(group, offsets, scope, ct);
            if (outcome.Verification is not null) verification.Add(outcome.Verification);
            if (outcome.Failure is not null)
            {
                failed.Add(outcome.Failure);
                reasons.Add(outcome.Reason!);
                continue;
            }
            rolledBack.Add(group);
            if (offsets.Count == 0)
                notes.Add($"group '{group}' had no committed offsets in snapshot '{snapshot.Id}' on its topics ({string.Join(", ", snapshot.Topics)}); it has none there now.");
        }
        return new OffsetRollbackResult(RollbackOperation.Rollback, snapshot.Id, rolledBack, [], failed, verification, notes)
        {
            Failure = reasons.Distinct().Count() == 1 ? reasons[0] : reasons.Count > 0 ? FailureReason.GroupsFailed : null,
        };
    }

    private static List<TopicPartition> SnapshotScope(KafkaOffsetsClient client, OffsetSnapshot snapshot) =>
        [.. client.ExistingPartitions(snapshot.Topics)];
}
