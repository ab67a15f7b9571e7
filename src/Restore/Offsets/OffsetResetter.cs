using Confluent.Kafka;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Resets consumer-group offsets with one of the five strategies of SPEC 3.4, group by group:
/// computes the target offsets, refuses groups with active members, commits, reads back.
/// </summary>
public sealed class OffsetResetter
{
    private readonly KafkaClusterSpec _cluster;
    private readonly SecretStore _secrets;

    /// <summary>Resets offsets in <paramref name="cluster"/>.</summary>
    public OffsetResetter(KafkaClusterSpec cluster, SecretStore secrets)
    {
        _cluster = cluster;
        _secrets = secrets;
    }

    /// <summary>Test hook: runs between a group's commit and its read-back.</summary>
    internal Func<string, CancellationToken, Task>? BeforeReadBack { get; init; }

    /// <summary>Client request timeout.</summary>
    internal TimeSpan? Timeout { get; init; }

    /// <summary>Resets every group of the request; per-group problems are failures in the result, not exceptions.</summary>
    /// <exception cref="KafkaRestoredException">The whole reset cannot run (cluster unreachable, topic missing, strategy input missing).</exception>
    public async Task<OffsetResetResult> ResetAsync(OffsetResetRequest request, CancellationToken ct)
    {
        CheckInputs(request);
        using var client = new KafkaOffsetsClient(_cluster, _secrets, Timeout);
        var run = new Run(client, request, ct);
        var committer = new GroupOffsetCommitter(client, BeforeReadBack);
        var fixedScope = run.FixedScope();

        var reset = new List<string>();
        var failed = new List<GroupFailure>();
        var committed = new List<GroupOffsetsCommitted>();
        var verification = new List<GroupVerification>();
        var notes = new List<string>();
        foreach (var group in request.Groups.Distinct(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            Dictionary<TopicPartition, long> offsets;
            try
            {
                offsets = run.TargetOffsets(group, fixedScope, notes);
            }
            catch (KafkaRestoredException e) when (e.Reason != FailureReason.ClusterUnreachable)
            {
                failed.Add(new GroupFailure(group, e.Reason, $"consumer group '{group}': {e.Message}"));
                continue;
            }
            if (offsets.Count == 0)
            {
                failed.Add(new GroupFailure(group, FailureReason.NoOffsetsToReset, request.Strategy == OffsetResetStrategy.HeaderBased
                    ? $"consumer group '{group}' has no committed offset in the backup's consumer-groups snapshot for any of the partitions in scope; nothing was committed. Check consumerGroups and topics."
                    : $"no partitions in scope for consumer group '{group}'; nothing was committed. Check topics."));
                continue;
            }
            var outcome = await committer.CommitAndVerifyAsync(group, offsets, ct);
            if (outcome.Verification is not null) verification.Add(outcome.Verification);
            if (outcome.Failure is not null)
            {
                failed.Add(outcome.Failure);
                continue;
            }
            reset.Add(group);
            committed.Add(new GroupOffsetsCommitted(group, outcome.ReadBack));
        }
        return new OffsetResetResult(reset, failed, committed, verification, notes, null);
    }

    private static void CheckInputs(OffsetResetRequest r)
    {
        switch (r.Strategy)
        {
            case OffsetResetStrategy.Timestamp when r.Timestamp is null:
                throw new KafkaRestoredException(FailureReason.MissingTimestamp, "strategy timestamp needs offsetReset.timestamp (ISO 8601, e.g. \"2024-12-01T12:00:00Z\").");
            case OffsetResetStrategy.Offset when r.Offset is null:
                throw new KafkaRestoredException(FailureReason.MissingOffset, "strategy offset needs the offset field (a non-negative integer).");
            case OffsetResetStrategy.HeaderBased when r.SourceOffsets is null:
                throw new KafkaRestoredException(FailureReason.ConsumerGroupSnapshotNotFound,
                    "strategy headerBased needs the source cluster's committed offsets, from the backup's consumer-groups-snapshot.json; the backup has none. Use another strategy, or a backup taken with consumer-group snapshots.");
            case not OffsetResetStrategy.HeaderBased when r.Topics.Count == 0 && r.OffsetMaps.Count == 0:
                throw new KafkaRestoredException(FailureReason.NoTopics, $"strategy {r.Strategy} needs topics: list the target topics whose partitions are reset.");
        }
        if (r.Groups.Count == 0)
            throw new KafkaRestoredException(FailureReason.NoConsumerGroups, "consumerGroups is empty: list the consumer groups to reset.");
    }

    /// <summary>State of one reset: partition answers shared by every group.</summary>
    private sealed class Run(KafkaOffsetsClient client, OffsetResetRequest request, CancellationToken ct)
    {
        private readonly Dictionary<TopicPartition, WatermarkOffsets> _marks = [];
        private readonly Dictionary<TopicPartition, long> _shared = [];
        private readonly Dictionary<TopicPartition, PartitionOffsetMap> _maps =
            request.OffsetMaps.ToDictionary(m => new TopicPartition(m.TargetTopic, m.Partition));
        private readonly Dictionary<TopicPartition, KafkaRestoredException> _mapErrors = [];
        private readonly Dictionary<string, string> _targetToSource =
            request.TopicMapping.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        /// <summary>Partitions in scope for every group, or null when headerBased derives them per group.</summary>
        public IReadOnlyList<TopicPartition>? FixedScope()
        {
            if (request.Topics.Count > 0)
                return [.. request.Topics.Distinct(StringComparer.Ordinal).SelectMany(client.Partitions)];
            if (request.OffsetMaps.Count > 0)
                return [.. _maps.Keys.OrderBy(k => k.Topic, StringComparer.Ordinal).ThenBy(k => k.Partition.Value)];
            return null;
        }

        public Dictionary<TopicPartition, long> TargetOffsets(string group, IReadOnlyList<TopicPartition>? fixedScope, List<string> notes)
        {
            var result = new Dictionary<TopicPartition, long>();
            if (request.Strategy != OffsetResetStrategy.HeaderBased)
            {
                foreach (var tp in fixedScope!) result[tp] = Shared(tp);
                return result;
            }

            var source = request.SourceOffsets!;
            if (!source.Contains(group))
                throw new KafkaRestoredException(FailureReason.GroupNotInBackupSnapshot,
                    $"the group is not in the backup's consumer-groups snapshot, so its source position is unknown; its offsets were left untouched. Check the group name, or use another strategy.");
            var scope = fixedScope ?? DerivedScope(group, notes);
            var skipped = new List<string>();
            foreach (var tp in scope)
            {
                var map = MapOf(tp);
                var sourceTopic = map.SourceTopic;
                var committed = source.Get(group, sourceTopic, tp.Partition.Value);
                if (committed is null)
                {
                    skipped.Add($"{tp.Topic}[{tp.Partition.Value}]");
                    continue;
                }
                result[tp] = map.FirstTargetAtOrAfter(committed.Value) ?? Marks(tp).High.Value;
            }
            if (skipped.Count > 0 && result.Count > 0)
                notes.Add($"group '{group}' had no committed offset in the source for {string.Join(", ", skipped)}; left untouched there.");
            return result;
        }

        private List<TopicPartition> DerivedScope(string group, List<string> notes)
        {
            var scope = new List<TopicPartition>();
            foreach (var sourceTopic in request.SourceOffsets!.TopicsOf(group).Order(StringComparer.Ordinal))
            {
                var target = request.TopicMapping.TryGetValue(sourceTopic, out var t) ? t : sourceTopic;
                var partitions = client.TryPartitions(target);
                if (partitions is null)
                {
                    notes.Add($"group '{group}' committed on source topic '{sourceTopic}', but target topic '{target}' does not exist; skipped.");
                    continue;
                }
                scope.AddRange(partitions);
            }
            return scope;
        }

        private string SourceTopicOf(string targetTopic) =>
            _targetToSource.TryGetValue(targetTopic, out var s) ? s : targetTopic;

        private PartitionOffsetMap MapOf(TopicPartition tp)
        {
            if (_maps.TryGetValue(tp, out var map)) return map;
            if (_mapErrors.TryGetValue(tp, out var error)) throw error;
            try
            {
                map = TargetPartitionScanner.ReadOffsetMap(client, tp, SourceTopicOf(tp.Topic), request.SourceCluster, ct);
                if (map.Runs.Count == 0 && Marks(tp).High.Value > Marks(tp).Low.Value)
                    throw new KafkaRestoredException(FailureReason.OffsetHeadersMissing,
                        $"{tp.Topic}[{tp.Partition.Value}] holds records but none carries an x-original-offset header" +
                        (request.SourceCluster is null ? "" : $" with x-source-cluster '{request.SourceCluster}'") +
                        ", so source positions cannot be translated. Was the data restored with includeOriginalOffsetHeader (and this sourceCluster)?");
                _maps[tp] = map;
                return map;
            }
            catch (KafkaRestoredException e) when (e.Reason != FailureReason.ClusterUnreachable)
            {
                _mapErrors[tp] = e;
                throw;
            }
        }

        private WatermarkOffsets Marks(TopicPartition tp)
        {
            if (!_marks.TryGetValue(tp, out var marks)) _marks[tp] = marks = client.Watermarks(tp);
            return marks;
        }

        private long Shared(TopicPartition tp)
        {
            if (_shared.TryGetValue(tp, out var known)) return known;
            var marks = Marks(tp);
            long low = marks.Low.Value, high = marks.High.Value;
            var offset = request.Strategy switch
            {
                OffsetResetStrategy.Earliest => low,
                OffsetResetStrategy.Latest => high,
                OffsetResetStrategy.Offset => Math.Clamp(request.Offset!.Value, low, high),
                OffsetResetStrategy.Timestamp => AtOrAfter(tp, request.Timestamp!.Value) ?? high,
                _ => throw new InvalidOperationException("headerBased offsets are per group"),
            };
            _shared[tp] = offset;
            return offset;
        }

        private long? AtOrAfter(TopicPartition tp, DateTimeOffset time) =>
            // Restored data: read the restored records themselves (same answer as the broker's
            // time index). Otherwise ask the broker; its -1 means no record at or after the time.
            _maps.ContainsKey(tp)
                ? TargetPartitionScanner.FirstAtOrAfter(client, tp, Marks(tp).Low.Value, time, ct)
                : client.OffsetForTime(tp, time);
    }
}
