using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// The Kafka calls the offset tools make: metadata, watermarks, time lookups, describe, commit,
/// delete (a rollback's OffsetDelete) and read back committed offsets. Committed offsets are
/// always asked for with explicit partitions, and groups are never listed or deleted (see docs/offsets.md).
/// </summary>
internal sealed class KafkaOffsetsClient : IDisposable
{
    private readonly IAdminClient _admin;
    private readonly Lazy<IConsumer<byte[]?, byte[]?>> _reader;
    private readonly TlsHandshakeWatch _tls;
    private readonly BrokerApiSupport _apis = new();

    public KafkaOffsetsClient(KafkaClusterSpec cluster, SecretStore secrets, TimeSpan? timeout = null)
    {
        Cluster = cluster;
        Secrets = secrets;
        Timeout = timeout ?? TimeSpan.FromSeconds(30);
        Bootstrap = string.Join(',', cluster.BootstrapServers);
        var admin = OffsetsClientConfig.Admin(cluster, secrets);
        _tls = new TlsHandshakeWatch(Bootstrap, "the Kafka cluster", "", admin.SslCaPem is not null || admin.SslCaLocation is not null, "No offset was read or changed.");
        _admin = new AdminClientBuilder(admin)
            .SetLogHandler((_, m) =>
            {
                _tls.Note(m.Message);
                _apis.Note(m.Facility, m.Message);
            })
            .SetErrorHandler((_, e) => _tls.Note(e.Reason))
            .Build();
        _reader = new(() => new ConsumerBuilder<byte[]?, byte[]?>(OffsetsClientConfig.Reader(cluster, secrets))
            .SetLogHandler((_, _) => { }).Build());
    }

    public KafkaClusterSpec Cluster { get; }

    public SecretStore Secrets { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The bootstrap list, for messages.</summary>
    public string Bootstrap { get; }

    /// <summary>Partitions of a topic, in order.</summary>
    /// <exception cref="KafkaRestoredException">TopicNotFound, ClusterUnreachable.</exception>
    public IReadOnlyList<TopicPartition> Partitions(string topic)
    {
        var found = TryPartitions(topic);
        return found ?? throw new KafkaRestoredException(FailureReason.TopicNotFound,
            $"topic '{topic}' does not exist in the Kafka cluster at {Bootstrap}; check the topic name (and topicMapping) in the resource.");
    }

    /// <summary>Partitions of a topic, or null when the topic does not exist.</summary>
    public IReadOnlyList<TopicPartition>? TryPartitions(string topic)
    {
        var metadata = Metadata(() => _admin.GetMetadata(topic, Timeout));
        var t = metadata.Topics.FirstOrDefault(x => x.Topic == topic);
        if (t is null || t.Error.Code == ErrorCode.UnknownTopicOrPart || t.Partitions.Count == 0) return null;
        if (t.Error.IsError)
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"metadata of topic '{topic}' could not be read from {Bootstrap}: {t.Error.Reason}.");
        return [.. t.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value)];
    }

    /// <summary>Partitions of those of <paramref name="topics"/> that exist, from one metadata request.</summary>
    public IReadOnlyList<TopicPartition> ExistingPartitions(IEnumerable<string> topics)
    {
        var wanted = topics.ToHashSet(StringComparer.Ordinal);
        if (wanted.Count == 0) return [];
        if (wanted.Count == 1) return TryPartitions(wanted.First()) ?? [];
        var metadata = Metadata(() => _admin.GetMetadata(Timeout));
        return [.. metadata.Topics.Where(t => wanted.Contains(t.Topic) && !t.Error.IsError)
            .OrderBy(t => t.Topic, StringComparer.Ordinal)
            .SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Topic, p.PartitionId)).OrderBy(p => p.Partition.Value))];
    }

    /// <summary>Every non-internal topic of the cluster.</summary>
    public IReadOnlyList<string> AllTopics()
    {
        var metadata = Metadata(() => _admin.GetMetadata(Timeout));
        return [.. metadata.Topics.Where(t => !t.Error.IsError && !t.Topic.StartsWith("__", StringComparison.Ordinal))
            .Select(t => t.Topic).Order(StringComparer.Ordinal)];
    }

    /// <summary>Log start (low) and end (high watermark) offsets of a partition.</summary>
    public WatermarkOffsets Watermarks(TopicPartition tp)
    {
        try
        {
            return _reader.Value.QueryWatermarkOffsets(tp, Timeout);
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"could not read the offsets of {tp.Topic}[{tp.Partition.Value}] from {Bootstrap}: {e.Error.Reason}.", e);
        }
    }

    /// <summary>The broker's answer for the first offset at or after a time, or null when it has none (−1).</summary>
    public long? OffsetForTime(TopicPartition tp, DateTimeOffset time)
    {
        try
        {
            var answer = _reader.Value.OffsetsForTimes(
                [new TopicPartitionTimestamp(tp, new Timestamp(time.ToUnixTimeMilliseconds(), TimestampType.CreateTime))], Timeout);
            var offset = answer.Single().Offset;
            return offset.Value < 0 ? null : offset.Value;
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"could not look up offsets by time in {tp.Topic}[{tp.Partition.Value}] at {Bootstrap}: {e.Error.Reason}.", e);
        }
    }

    /// <summary>The assign-only reader consumer, shared by the partition scans of this client.</summary>
    public IConsumer<byte[]?, byte[]?> Reader => _reader.Value;

    /// <summary>Committed offsets of a group on explicit partitions; partitions without a commit are absent.</summary>
    public async Task<Dictionary<TopicPartition, long>> CommittedAsync(string group, IEnumerable<TopicPartition> partitions, CancellationToken ct)
    {
        var list = partitions.ToList();
        var result = new Dictionary<TopicPartition, long>();
        if (list.Count == 0) return result;
        ct.ThrowIfCancellationRequested();
        try
        {
            var answer = await _admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group, list)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).WaitAsync(ct);
            foreach (var p in answer.SelectMany(r => r.Partitions))
                if (p.Offset.Value >= 0) result[p.TopicPartition] = p.Offset.Value;
            return result;
        }
        catch (ListConsumerGroupOffsetsException e)
        {
            var detail = string.Join("; ", e.Results.SelectMany(r => r.Partitions.Where(p => p.Error.IsError)
                .Select(p => $"{p.Topic}[{p.Partition.Value}]: {p.Error.Reason}")).Prepend(e.Error.Reason));
            throw new KafkaRestoredException(FailureReason.OffsetFetchFailed,
                $"could not read the committed offsets of group '{group}' from {Bootstrap}: {detail}.", e);
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.OffsetFetchFailed,
                $"could not read the committed offsets of group '{group}' from {Bootstrap}: {e.Error.Reason}.", e);
        }
    }

    /// <summary>Members of a group, or <see cref="GroupActivity.Unknown"/> when the broker cannot describe groups.</summary>
    public async Task<GroupActivity> DescribeAsync(string group, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        try
        {
            var answer = await _admin.DescribeConsumerGroupsAsync([group],
                new DescribeConsumerGroupsOptions { RequestTimeout = Timeout }).WaitAsync(ct);
            var d = answer.ConsumerGroupDescriptions.Single();
            return new GroupActivity(true, d.Members.Count, d.State.ToString(),
                string.Join(", ", d.Members.Select(m => $"{m.ClientId}@{m.Host}")));
        }
        catch (DescribeConsumerGroupsException e)
        {
            var d = e.Results.ConsumerGroupDescriptions.SingleOrDefault();
            // Brokers (and the test broker) that do not serve DescribeGroups: the commit itself is the check.
            if (d is not null && d.Error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion or ErrorCode.InvalidRequest)
                return GroupActivity.Unknown;
            if (d is not null && d.Error.Code == ErrorCode.GroupIdNotFound) return new GroupActivity(true, 0, "Dead", "");
            throw new KafkaRestoredException(FailureReason.GroupDescribeFailed,
                $"could not describe consumer group '{group}' at {Bootstrap}: {d?.Error.Reason ?? e.Message}.", e);
        }
        catch (KafkaException e) when (e.Error.Code is ErrorCode.Local_UnsupportedFeature or ErrorCode.UnsupportedVersion)
        {
            return GroupActivity.Unknown;
        }
    }

    /// <summary>Commits offsets for a group (AlterConsumerGroupOffsets); the broker's refusal comes back as a value.</summary>
    public async Task<CommitOutcome> CommitAsync(string group, IReadOnlyDictionary<TopicPartition, long> offsets, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var list = offsets.OrderBy(o => o.Key.Topic, StringComparer.Ordinal).ThenBy(o => o.Key.Partition.Value)
            .Select(o => new TopicPartitionOffset(o.Key, o.Value)).ToList();
        try
        {
            await _admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group, list)],
                new AlterConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).WaitAsync(ct);
            return new CommitOutcome(true, ErrorCode.NoError, "");
        }
        catch (AlterConsumerGroupOffsetsException e)
        {
            var report = e.Results.Single();
            var failed = report.Partitions.Where(p => p.Error.IsError).ToList();
            var code = report.Error.IsError ? report.Error.Code : failed.Select(p => p.Error.Code).FirstOrDefault();
            var detail = report.Error.IsError ? report.Error.Reason
                : string.Join("; ", failed.Select(p => $"{p.Topic}[{p.Partition.Value}]: {p.Error.Reason} ({p.Error.Code})"));
            return new CommitOutcome(false, code, detail);
        }
        catch (KafkaException e)
        {
            return new CommitOutcome(false, e.Error.Code, e.Error.Reason);
        }
    }

    /// <summary>
    /// True when every broker this client has talked to lists OffsetDelete in its ApiVersions
    /// answer (so, after a read of the group's offsets, its coordinator does);
    /// <paramref name="lacking"/> names the brokers that do not.
    /// </summary>
    public bool CanDeleteOffsets(out IReadOnlyList<string> lacking) => _apis.Supports(BrokerApiSupport.OffsetDelete, out lacking);

    /// <summary>Deletes a group's committed offsets on explicit partitions (OffsetDelete); the broker's refusal comes back as a value.</summary>
    /// <exception cref="InvalidOperationException">When <see cref="CanDeleteOffsets"/> is false: the request is never sent to a broker that does not list it.</exception>
    public async Task<CommitOutcome> DeleteAsync(string group, IEnumerable<TopicPartition> partitions, CancellationToken ct)
    {
        if (!CanDeleteOffsets(out _))
            throw new InvalidOperationException("OffsetDelete is not listed by the brokers; check CanDeleteOffsets before deleting");
        ct.ThrowIfCancellationRequested();
        var list = partitions.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition.Value).ToList();
        try
        {
            await _admin.DeleteConsumerGroupOffsetsAsync(group, list,
                new DeleteConsumerGroupOffsetsOptions { RequestTimeout = Timeout }).WaitAsync(ct);
            return new CommitOutcome(true, ErrorCode.NoError, "");
        }
        catch (DeleteConsumerGroupOffsetsException e)
        {
            var report = e.Result;
            var failed = report.Partitions.Where(p => p.Error.IsError).ToList();
            var code = report.Error.IsError ? report.Error.Code : failed.Select(p => p.Error.Code).FirstOrDefault();
            var detail = report.Error.IsError ? $"{report.Error.Reason} ({report.Error.Code})"
                : string.Join("; ", failed.Select(p => $"{p.Topic}[{p.Partition.Value}]: {p.Error.Reason} ({p.Error.Code})"));
            return new CommitOutcome(false, code, detail);
        }
        catch (KafkaException e)
        {
            return new CommitOutcome(false, e.Error.Code, e.Error.Reason);
        }
    }

    public void Dispose()
    {
        if (_reader.IsValueCreated)
        {
            _reader.Value.Close();
            _reader.Value.Dispose();
        }
        _admin.Dispose();
    }

    private Metadata Metadata(Func<Metadata> call)
    {
        try
        {
            return call();
        }
        catch (KafkaException e) when (_tls.Explain(e) is { } tls)
        {
            throw tls;
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"could not reach the Kafka cluster at {Bootstrap}: {e.Error.Reason}; check kafkaCluster.bootstrapServers and that the brokers are up.", e);
        }
    }
}
