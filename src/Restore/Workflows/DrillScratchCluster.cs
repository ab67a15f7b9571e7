using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// A drill's own view of its scratch topics, independent of the restore engine: which exist, where
/// each partition ends, the records read back with a consumer of its own, and their deletion.
/// </summary>
public sealed class DrillScratchCluster : IDisposable
{
    private readonly IAdminClient _admin;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly TimeSpan _timeout;
    private readonly string _bootstrap;

    /// <summary>Clients for the cluster <paramref name="client"/> describes; <paramref name="timeout"/> bounds each request.</summary>
    public DrillScratchCluster(ClientConfig client, string bootstrap, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(client);
        _timeout = timeout;
        _bootstrap = bootstrap;
        _admin = new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(client))).SetLogHandler((_, _) => { }).Build();
        _consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(new Dictionary<string, string>(client))
        {
            GroupId = "kafka-restored-drill-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadUncommitted,
        }).SetLogHandler((_, _) => { }).Build();
    }

    /// <summary>The topics the cluster has now.</summary>
    public HashSet<string> ExistingTopics()
    {
        try
        {
            return [.. _admin.GetMetadata(_timeout).Topics.Where(t => t.Error.Code == ErrorCode.NoError).Select(t => t.Topic)];
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"the target cluster at {_bootstrap} did not answer a metadata request within {_timeout.TotalSeconds:0}s ({e.Error.Reason}); nothing was written. Check spec.targetCluster and that the cluster is up.", e);
        }
    }

    /// <summary>The end offset of each partition (0 for a topic that does not exist yet).</summary>
    public Dictionary<(string Topic, int Partition), long> EndOffsets(IEnumerable<(string Topic, int Partition)> partitions, ISet<string> existing)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(existing);
        var result = new Dictionary<(string, int), long>();
        foreach (var (topic, partition) in partitions)
        {
            result[(topic, partition)] = existing.Contains(topic)
                ? QueryEnd(topic, partition)
                : 0;
        }
        return result;
    }

    private long QueryEnd(string topic, int partition)
    {
        try
        {
            return _consumer.QueryWatermarkOffsets(new TopicPartition(topic, partition), _timeout).High.Value;
        }
        catch (KafkaException e) when (e.Error.Code is ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownPartition)
        {
            return 0; // the topic has fewer partitions than the backup: the engine says so
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"reading the end offset of {topic}[{partition}] on {_bootstrap} failed ({e.Error.Reason}); check that the cluster is up.", e);
        }
    }

    /// <summary>
    /// Reads each partition from its offset in <paramref name="from"/> to its end offset now, into a
    /// checksum per partition. A partition that yields nothing for the request timeout fails the read
    /// (VerificationFailed), so a drill never passes on records it did not see.
    /// </summary>
    public Dictionary<(string Topic, int Partition), DrillChecksum> ReadBack(IReadOnlyDictionary<(string Topic, int Partition), long> from, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(from);
        var sums = from.Keys.ToDictionary(k => k, _ => new DrillChecksum());
        var ends = from.Keys.ToDictionary(k => k, k => QueryEnd(k.Topic, k.Partition));
        var next = new Dictionary<(string, int), long>(from);
        var open = from.Keys.Where(k => ends[k] > from[k]).ToHashSet();
        if (open.Count == 0) return sums;
        _consumer.Assign(open.Select(k => new TopicPartitionOffset(k.Topic, k.Partition, from[k])));
        var lastProgress = Environment.TickCount64;
        while (open.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var cr = _consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (cr is null || cr.IsPartitionEOF || cr.Message is null)
            {
                if (Environment.TickCount64 - lastProgress > _timeout.TotalMilliseconds) throw Stalled(open, next, ends);
                continue;
            }
            var key = (cr.Topic, cr.Partition.Value);
            if (!open.Contains(key) || cr.Offset.Value < next[key]) continue;
            lastProgress = Environment.TickCount64;
            sums[key].Add(cr.Message.Timestamp.UnixTimestampMs, cr.Message.Key, cr.Message.Value,
                cr.Message.Headers?.Select(h => (h.Key, (byte[]?)h.GetValueBytes())) ?? []);
            next[key] = cr.Offset.Value + 1;
            if (next[key] >= ends[key]) open.Remove(key);
        }
        _consumer.Unassign();
        return sums;
    }

    private static KafkaRestoredException Stalled(HashSet<(string Topic, int Partition)> open, Dictionary<(string, int), long> next,
        Dictionary<(string, int), long> ends)
    {
        var first = open.First();
        return new KafkaRestoredException(FailureReason.VerificationFailed,
            $"reading the scratch topics back stalled: {first.Topic}[{first.Partition}] gave nothing after offset {next[first]} of {ends[first]} " +
            $"({open.Count} partition(s) unread); the restored records could not be verified. Check the target cluster.");
    }

    /// <summary>Deletes <paramref name="topics"/>; returns what happened, for the drill report (never throws for a refusal).</summary>
    public async Task<string> DeleteAsync(IReadOnlyList<string> topics, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (topics.Count == 0) return "nothing to delete: the drill created no scratch topic (those that existed before it are kept)";
        try
        {
            await _admin.DeleteTopicsAsync(topics, new DeleteTopicsOptions { RequestTimeout = _timeout, OperationTimeout = _timeout })
                .WaitAsync(_timeout + TimeSpan.FromSeconds(2), ct);
            return "deleted " + string.Join(", ", topics);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            var why = e is DeleteTopicsException d ? string.Join("; ", d.Results.Where(r => r.Error.IsError).Select(r => $"{r.Topic}: {r.Error.Reason}")) : e.Message;
            return $"NOT deleted: {string.Join(", ", topics)} (the cluster refused or did not answer DeleteTopics: {why}); delete them by hand";
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _consumer.Close();
        _consumer.Dispose();
        _admin.Dispose();
    }
}
