using Confluent.Kafka;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Where consumer-group offsets are committed: checks the group has no active members, commits
/// with AlterConsumerGroupOffsets, then reads the same partitions back and compares.
/// </summary>
internal sealed class GroupOffsetCommitter(KafkaOffsetsClient client, Func<string, CancellationToken, Task>? beforeReadBack)
{
    public async Task<GroupCommitResult> CommitAndVerifyAsync(string group, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        var activity = await client.DescribeAsync(group, ct);
        if (activity.Known && activity.ActiveMembers > 0)
        {
            return new GroupCommitResult(new GroupFailure(group, FailureReason.GroupHasActiveMembers,
                $"consumer group '{group}' has {activity.ActiveMembers} active member(s) ({activity.Members}; state {activity.State}); " +
                "its offsets were left untouched. Stop its consumers, then run the resource again."), null, []);
        }

        var outcome = await client.CommitAsync(group, offsets, ct);
        if (!outcome.Succeeded)
        {
            var activeMembers = outcome.Code is ErrorCode.UnknownMemberId or ErrorCode.RebalanceInProgress
                or ErrorCode.IllegalGeneration or ErrorCode.FencedInstanceId;
            return new GroupCommitResult(activeMembers
                ? new GroupFailure(group, FailureReason.GroupHasActiveMembers,
                    $"the broker at {client.Bootstrap} refused to commit offsets for consumer group '{group}' ({outcome.Detail}): " +
                    "the group has active members. Its offsets were left untouched; stop its consumers, then run the resource again.")
                : new GroupFailure(group, FailureReason.OffsetCommitFailed,
                    $"the broker at {client.Bootstrap} refused to commit offsets for consumer group '{group}': {outcome.Detail}."), null, []);
        }

        if (beforeReadBack is not null) await beforeReadBack(group, ct);

        var readBack = await client.CommittedAsync(group, offsets.Keys, ct);
        var mismatches = new List<PartitionMismatch>();
        foreach (var (tp, expected) in Sorted(offsets))
        {
            long? actual = readBack.TryGetValue(tp, out var a) ? a : null;
            if (actual != expected) mismatches.Add(new PartitionMismatch(tp.Topic, tp.Partition.Value, expected, actual));
        }
        var verification = new GroupVerification(group, mismatches);
        var readList = Sorted(readBack).Select(p => new PartitionOffset(p.Key.Topic, p.Key.Partition.Value, p.Value)).ToList();
        if (mismatches.Count == 0) return new GroupCommitResult(null, verification, readList);
        return new GroupCommitResult(new GroupFailure(group, FailureReason.OffsetVerificationFailed,
            $"offsets of consumer group '{group}' read back differ from what was committed on {mismatches.Count} partition(s): " +
            string.Join(", ", mismatches.Select(m => $"{m.Topic}[{m.Partition}] expected {m.Expected}, found {(m.Actual?.ToString() ?? "none")}")) +
            ". Something else committed for this group meanwhile; make sure no consumer of the group is running, then run the resource again."),
            verification, readList);
    }

    internal static IEnumerable<KeyValuePair<TopicPartition, long>> Sorted(IEnumerable<KeyValuePair<TopicPartition, long>> offsets) =>
        offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition.Value);
}
