using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups.Writing;

/// <summary>
/// A full backup of topics from a Kafka cluster into storage (SPEC 6 layout): every partition from
/// its earliest offset up to the high watermark captured at start, each record stored exactly as
/// read, plus the committed offsets of named consumer groups. Runs without a daemon, so the CLI,
/// the demo and tests call it in-process.
/// </summary>
public static class ClusterBackup
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs the backup and returns its manifest.</summary>
    /// <exception cref="KafkaRestoredException">BackupExists, TopicNotFound, ClusterUnreachable, storage and secret errors.</exception>
    public static async Task<BackupManifest> RunAsync(ClusterBackupRequest request, IBackupStorage storage, SecretStore secrets,
        IProgress<BackupProgress>? progress, CancellationToken ct)
    {
        if (request.Topics.Count == 0)
            throw new KafkaRestoredException(FailureReason.NoTopics, "no topics to back up; name at least one topic (--topics).");
        await using var writer = new BackupWriter(storage, request.BackupId, request.Compression, request.WriterOptions);
        await writer.EnsureNewAsync(ct);

        var clientConfig = KafkaClientConfig.For(request.Cluster, secrets);
        var bootstrap = KafkaClientConfig.BootstrapList(request.Cluster);
        var partitionCounts = ReadPartitionCounts(clientConfig, bootstrap, request.Topics.Distinct(StringComparer.Ordinal).ToList());

        using var consumer = CreateConsumer(clientConfig, request.BackupId);

        // Capture the range of every partition before reading anything.
        var ranges = ReadRanges(consumer, bootstrap, partitionCounts);
        request.RangesCaptured?.Invoke(ranges.ToDictionary(r => (r.Key.Topic, r.Key.Partition.Value), r => (r.Value.Low.Value, r.Value.High.Value)));
        var pending = ranges.Where(r => r.Value.High.Value > r.Value.Low.Value).ToDictionary(r => r.Key, r => r.Value);
        var total = pending.Sum(r => r.Value.High.Value - r.Value.Low.Value);
        var firstOffsets = new Dictionary<TopicPartition, long>();
        long records = 0, bytes = 0;
        var done = ranges.Count - pending.Count;
        progress?.Report(new BackupProgress(0, total, 0, done, ranges.Count));

        if (pending.Count > 0)
        {
            consumer.Assign(pending.Select(r => new TopicPartitionOffset(r.Key, r.Value.Low)));
            var lastReport = Stopwatch.StartNew();
            var idle = Stopwatch.StartNew();
            while (pending.Count > 0)
            {
                ct.ThrowIfCancellationRequested();
                // Consume blocks; a short timeout keeps cancellation and the idle check responsive.
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is null)
                {
                    if (idle.Elapsed > request.IdleTimeout)
                        throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                            $"no data from {bootstrap} for {request.IdleTimeout.TotalSeconds:0}s while {pending.Count} partition(s) were unfinished (e.g. {pending.Keys.First()}); check the brokers and for open transactions, then run the backup again under a new id.");
                    continue;
                }
                idle.Restart();
                var tp = result.TopicPartition;
                if (!pending.TryGetValue(tp, out var range)) continue;
                if (!result.IsPartitionEOF && result.Offset.Value < range.High.Value)
                {
                    var record = ToBackupRecord(result);
                    firstOffsets.TryAdd(tp, record.Offset);
                    await writer.AppendAsync(tp.Topic, tp.Partition.Value, record, ct);
                    records++;
                    bytes += (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
                }
                // Position passes control records too, so a partition ending in a transaction marker still finishes.
                var position = result.IsPartitionEOF ? result.Offset.Value : consumer.Position(tp).Value;
                if ((position >= range.High.Value) || (!result.IsPartitionEOF && result.Offset.Value >= range.High.Value - 1))
                {
                    pending.Remove(tp);
                    consumer.IncrementalUnassign([tp]);
                    done++;
                }
                if (lastReport.ElapsedMilliseconds >= 250 || pending.Count == 0)
                {
                    progress?.Report(new BackupProgress(records, total, bytes, done, ranges.Count));
                    lastReport.Restart();
                }
            }
        }

        var gaps = DetectGaps(consumer, ranges, firstOffsets);
        var groups = request.ConsumerGroups.Count == 0 ? null
            : await SnapshotGroupsAsync(clientConfig, bootstrap, request.ConsumerGroups, partitionCounts, request.WriterOptions?.TimeProvider ?? TimeProvider.System);
        consumer.Close();
        progress?.Report(new BackupProgress(records, total, bytes, done, ranges.Count));
        return await writer.CompleteAsync(partitionCounts, request.SourceClusterId, request.Cluster.BootstrapServers.ToList(), groups, gaps, ct);
    }

    /// <summary>A read-committed consumer that starts at the earliest offset, reports partition ends and commits nothing.</summary>
    private static IConsumer<byte[]?, byte[]?> CreateConsumer(ClientConfig clientConfig, string backupId)
    {
        var consumerConfig = new ConsumerConfig(new Dictionary<string, string>(clientConfig))
        {
            GroupId = $"kafka-restored-backup-{backupId}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchMaxBytes = 16 * 1024 * 1024,
            MaxPartitionFetchBytes = 2 * 1024 * 1024,
            QueuedMaxMessagesKbytes = 32 * 1024,
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(consumerConfig)
            .SetKeyDeserializer(Deserializers.ByteArray)
            .SetValueDeserializer(Deserializers.ByteArray)
            .SetLogHandler((_, _) => { })
            .Build();
    }

    /// <summary>The low and high watermark of every partition of every topic.</summary>
    private static Dictionary<TopicPartition, WatermarkOffsets> ReadRanges(IConsumer<byte[]?, byte[]?> consumer, string bootstrap,
        Dictionary<string, int> partitionCounts)
    {
        var ranges = new Dictionary<TopicPartition, WatermarkOffsets>();
        foreach (var (topic, count) in partitionCounts)
        {
            for (var p = 0; p < count; p++)
            {
                var tp = new TopicPartition(topic, p);
                ranges[tp] = Unreachable(bootstrap, () => consumer.QueryWatermarkOffsets(tp, MetadataTimeout));
            }
        }
        return ranges;
    }

    /// <summary>A consumed message as the backup stores it.</summary>
    private static BackupRecord ToBackupRecord(ConsumeResult<byte[]?, byte[]?> result)
    {
        var m = result.Message;
        return new BackupRecord
        {
            Offset = result.Offset.Value,
            Timestamp = m.Timestamp.UnixTimestampMs,
            Key = m.Key,
            Value = m.Value,
            Headers = m.Headers is null || m.Headers.Count == 0 ? [] : m.Headers.Select(h => new BackupHeader(h.Key, h.GetValueBytes())).ToArray(),
        };
    }

    private static Dictionary<string, int> ReadPartitionCounts(ClientConfig config, string bootstrap, IReadOnlyList<string> topics)
    {
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        // All-topics metadata: asking for one topic by name can auto-create it on some brokers.
        var metadata = Unreachable(bootstrap, () => admin.GetMetadata(MetadataTimeout));
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in topics)
        {
            var t = metadata.Topics.SingleOrDefault(x => x.Topic == topic);
            if (t is null || t.Error.Code == ErrorCode.UnknownTopicOrPart || t.Partitions.Count == 0)
                throw new KafkaRestoredException(FailureReason.TopicNotFound,
                    $"topic '{topic}' does not exist on {bootstrap}; check --topics (names are case-sensitive).");
            if (t.Error.IsError)
                throw new KafkaRestoredException(FailureReason.ClusterUnreachable, $"metadata of topic '{topic}' on {bootstrap} failed: {t.Error.Reason}.");
            counts[topic] = t.Partitions.Count;
        }
        return counts;
    }

    // Records the source deleted while the backup ran (retention moved the log start past what was read).
    private static Dictionary<(string Topic, int Partition), IReadOnlyList<BackupGap>> DetectGaps(
        IConsumer<byte[]?, byte[]?> consumer, Dictionary<TopicPartition, WatermarkOffsets> ranges, Dictionary<TopicPartition, long> firstOffsets)
    {
        var gaps = new Dictionary<(string, int), IReadOnlyList<BackupGap>>();
        foreach (var (tp, range) in ranges)
        {
            if (range.High.Value <= range.Low.Value) continue;
            var first = firstOffsets.TryGetValue(tp, out var f) ? f : range.High.Value;
            if (first <= range.Low.Value) continue;
            var now = consumer.QueryWatermarkOffsets(tp, MetadataTimeout);
            if (now.Low.Value <= range.Low.Value) continue; // compaction, not deletion
            var end = Math.Min(first, now.Low.Value);
            gaps[(tp.Topic, tp.Partition.Value)] =
                [new BackupGap(range.Low.Value, end, "deleted by the source (retention) while the backup ran", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())];
        }
        return gaps;
    }

    private static async Task<ConsumerGroupSnapshot> SnapshotGroupsAsync(ClientConfig config, string bootstrap, IReadOnlyList<string> groupIds,
        Dictionary<string, int> partitionCounts, TimeProvider time)
    {
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        var partitions = partitionCounts.SelectMany(t => Enumerable.Range(0, t.Value).Select(p => new TopicPartition(t.Key, p))).ToList();
        var groups = new List<GroupOffsets>();
        foreach (var group in groupIds.Distinct(StringComparer.Ordinal))
        {
            List<ListConsumerGroupOffsetsResult> results;
            try
            {
                // Explicit partitions: some brokers (and the mock) return nothing without them.
                results = await admin.ListConsumerGroupOffsetsAsync(
                    [new ConsumerGroupTopicPartitions(group, partitions)],
                    new ListConsumerGroupOffsetsOptions { RequestTimeout = MetadataTimeout });
            }
            catch (KafkaException e)
            {
                throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                    $"reading the committed offsets of consumer group '{group}' from {bootstrap} failed: {e.Error.Reason}; check the cluster and the group name.", e);
            }
            var offsets = new Dictionary<string, IReadOnlyDictionary<string, long>>(StringComparer.Ordinal);
            foreach (var tpo in results.SelectMany(r => r.Partitions))
            {
                if (tpo.Offset.Value < 0 || tpo.Error.IsError) continue; // nothing committed
                if (!offsets.TryGetValue(tpo.Topic, out var byPartition))
                    offsets[tpo.Topic] = byPartition = new Dictionary<string, long>(StringComparer.Ordinal);
                ((Dictionary<string, long>)byPartition)[tpo.Partition.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)] = tpo.Offset.Value;
            }
            groups.Add(new GroupOffsets(group, offsets));
        }
        return new ConsumerGroupSnapshot(time.GetUtcNow().ToUnixTimeMilliseconds(), groups);
    }

    private static T Unreachable<T>(string bootstrap, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"Kafka cluster {bootstrap} did not answer: {e.Error.Reason}; check --bootstrap-servers, the security settings and that the brokers are up.", e);
        }
    }
}
