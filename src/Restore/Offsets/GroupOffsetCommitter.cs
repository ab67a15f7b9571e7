using Confluent.Kafka;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Where consumer-group offsets are changed: checks the group has no active members, commits
/// with AlterConsumerGroupOffsets (and, to return a group to a snapshot, deletes with
/// OffsetDelete), then reads the partitions back and compares with what was intended.
/// </summary>
internal sealed class GroupOffsetCommitter(KafkaOffsetsClient client, Func<string, CancellationToken, Task>? beforeReadBack)
{
    public async Task<GroupCommitResult> CommitAndVerifyAsync(string group, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        if (await ActiveMembersAsync(group, ct) is { } active) return active;
        if (await CommitAsync(group, offsets, ct) is { } refused) return refused;
        if (beforeReadBack is not null) await beforeReadBack(group, ct);
        var intended = offsets.ToDictionary(o => o.Key, o => (long?)o.Value);
        var (verification, readBack) = await ReadBackAsync(group, intended, ct);
        if (verification.Matches) return new GroupCommitResult(null, verification, readBack);
        return Fail(group, FailureReason.OffsetVerificationFailed,
            $"offsets of consumer group '{group}' read back differ from what was committed on {Describe(verification)}" +
            ". Something else committed for this group meanwhile; make sure no consumer of the group is running, then run the resource again.",
            verification, readBack);
    }

    /// <summary>
    /// Returns a group to a snapshot on <paramref name="scope"/> (the partitions the snapshot looked
    /// at): commits <paramref name="snapshot"/>, deletes the offsets it did not have, then checks
    /// that the read-back equals the snapshot exactly, partitions without an offset included.
    /// </summary>
    public async Task<GroupCommitResult> ReturnToSnapshotAsync(string group, IReadOnlyDictionary<TopicPartition, long> snapshot,
        IReadOnlyList<TopicPartition> scope, CancellationToken ct)
    {
        var extra = (await client.CommittedAsync(group, scope.Where(tp => !snapshot.ContainsKey(tp)), ct)).Keys.ToList();
        if (snapshot.Count > 0 || extra.Count > 0)
        {
            if (await ActiveMembersAsync(group, ct) is { } active) return active;
            if (snapshot.Count > 0 && await CommitAsync(group, snapshot, ct) is { } refused) return refused;
        }
        var deleteFailure = extra.Count > 0 ? await DeleteAsync(group, extra, ct) : null;
        if (beforeReadBack is not null) await beforeReadBack(group, ct);
        var intended = scope.ToDictionary(tp => tp, tp => snapshot.TryGetValue(tp, out var o) ? o : (long?)null);
        foreach (var (tp, o) in snapshot) intended[tp] = o;
        var (verification, readBack) = await ReadBackAsync(group, intended, ct);
        if (verification.Matches) return new GroupCommitResult(null, verification, readBack);
        if (deleteFailure is { } d) return Fail(group, d.Reason, d.Message, verification, readBack);
        return Fail(group, FailureReason.OffsetVerificationFailed,
            $"offsets of consumer group '{group}' read back differ from the snapshot on {Describe(verification)}" +
            ". Something else committed for this group meanwhile; make sure no consumer of the group is running, then run the resource again.",
            verification, readBack);
    }

    private static GroupCommitResult Fail(string group, FailureReason reason, string message,
        GroupVerification? verification = null, IReadOnlyList<PartitionOffset>? readBack = null) =>
        new(new GroupFailure(group, reason, message), verification, readBack ?? []) { Reason = reason };

    private async Task<GroupCommitResult?> ActiveMembersAsync(string group, CancellationToken ct)
    {
        var activity = await client.DescribeAsync(group, ct);
        return activity.Known && activity.ActiveMembers > 0
            ? Fail(group, FailureReason.GroupHasActiveMembers,
                $"consumer group '{group}' has {activity.ActiveMembers} active member(s) ({activity.Members}; state {activity.State}); " +
                "its offsets were left untouched. Stop its consumers, then run the resource again.")
            : null;
    }

    private async Task<GroupCommitResult?> CommitAsync(string group, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        var outcome = await client.CommitAsync(group, offsets, ct);
        if (outcome.Succeeded) return null;
        var activeMembers = outcome.Code is ErrorCode.UnknownMemberId or ErrorCode.RebalanceInProgress
            or ErrorCode.IllegalGeneration or ErrorCode.FencedInstanceId;
        return activeMembers
            ? Fail(group, FailureReason.GroupHasActiveMembers,
                $"the broker at {client.Bootstrap} refused to commit offsets for consumer group '{group}' ({outcome.Detail}): " +
                "the group has active members. Its offsets were left untouched; stop its consumers, then run the resource again.")
            : Fail(group, FailureReason.OffsetCommitFailed,
                $"the broker at {client.Bootstrap} refused to commit offsets for consumer group '{group}': {outcome.Detail}.");
    }

    /// <summary>Deletes offsets the snapshot did not have; a failure says why they are still there (they are then found by the read-back).</summary>
    private async Task<(FailureReason Reason, string Message)?> DeleteAsync(string group, IReadOnlyList<TopicPartition> extra, CancellationToken ct)
    {
        var names = string.Join(", ", extra.Select(tp => $"{tp.Topic}[{tp.Partition.Value}]"));
        var byHand = $"kafka-consumer-groups --bootstrap-server {client.Bootstrap} --delete-offsets --group {group} " +
            string.Join(" ", extra.GroupBy(tp => tp.Topic).Select(t => $"--topic {t.Key}:{string.Join(',', t.Select(tp => tp.Partition.Value))}"));
        if (!client.CanDeleteOffsets(out var lacking))
        {
            return (FailureReason.OffsetDeleteUnsupported,
                $"consumer group '{group}' has committed offsets on {names}, where the snapshot had none, and they could not be removed: " +
                (lacking.Count > 0 ? $"the broker(s) {string.Join(", ", lacking)} do not serve OffsetDelete (Kafka 2.4 or later is needed)"
                    : $"the brokers at {client.Bootstrap} did not say they serve OffsetDelete (Kafka 2.4 or later is needed)") +
                $", so the group is not back at its snapshot. Upgrade the brokers and run the resource again, or, with the group's consumers stopped, run: {byHand}");
        }
        var outcome = await client.DeleteAsync(group, extra, ct);
        if (outcome.Succeeded) return null;
        // Kafka refuses OffsetDelete on topics a live group is subscribed to, and on non-empty groups.
        return outcome.Code is ErrorCode.GroupSubscribedToTopic or ErrorCode.NonEmptyGroup or ErrorCode.RebalanceInProgress
            ? (FailureReason.GroupHasActiveMembers,
                $"the broker at {client.Bootstrap} refused to delete the offsets of consumer group '{group}' on {names}, where the snapshot had none ({outcome.Detail}): " +
                "the group has active members subscribed to those topics. Stop its consumers, then run the resource again.")
            : (FailureReason.OffsetDeleteFailed,
                $"the broker at {client.Bootstrap} refused to delete the offsets of consumer group '{group}' on {names}, where the snapshot had none: {outcome.Detail}. " +
                $"Fix the cause and run the resource again, or, with the group's consumers stopped, run: {byHand}");
    }

    /// <summary>Reads the intended partitions back; null intended means no committed offset.</summary>
    private async Task<(GroupVerification Verification, List<PartitionOffset> ReadBack)> ReadBackAsync(string group,
        IReadOnlyDictionary<TopicPartition, long?> intended, CancellationToken ct)
    {
        var readBack = await client.CommittedAsync(group, intended.Keys, ct);
        var mismatches = new List<PartitionMismatch>();
        foreach (var (tp, expected) in intended.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition.Value))
        {
            long? actual = readBack.TryGetValue(tp, out var a) ? a : null;
            if (actual != expected) mismatches.Add(new PartitionMismatch(tp.Topic, tp.Partition.Value, expected, actual));
        }
        var readList = Sorted(readBack).Select(p => new PartitionOffset(p.Key.Topic, p.Key.Partition.Value, p.Value)).ToList();
        return (new GroupVerification(group, mismatches), readList);
    }

    private static string Describe(GroupVerification verification) =>
        $"{verification.Mismatches.Count} partition(s): " + string.Join(", ", verification.Mismatches.Select(m =>
            $"{m.Topic}[{m.Partition}] expected {m.Expected?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, " +
            $"found {m.Actual?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"));

    internal static IEnumerable<KeyValuePair<TopicPartition, long>> Sorted(IEnumerable<KeyValuePair<TopicPartition, long>> offsets) =>
        offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition.Value);
}
