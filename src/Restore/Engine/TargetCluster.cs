using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// The admin side of the target cluster as the engine needs it: reachability, topic metadata and
/// creation, and partition watermarks. Failures a user can fix become reasons.
/// </summary>
internal sealed class TargetCluster : IDisposable
{
    private readonly IAdminClient _admin;
    private readonly ILogger _logger;
    private readonly RestoreTuning _tuning;
    private readonly TimeProvider _time;
    private readonly ClientConfig _client;
    private IConsumer<byte[]?, byte[]?>? _reader;
    private readonly TlsHandshakeWatch _tls;

    public TargetCluster(ClientConfig client, string bootstrapList, ILogger logger, RestoreTuning tuning, TimeProvider time)
    {
        _time = time;
        _client = client;
        Bootstrap = bootstrapList;
        _logger = logger;
        _tuning = tuning;
        _tls = new TlsHandshakeWatch(bootstrapList, "the target Kafka cluster", "spec.targetCluster.",
            client.SslCaPem is not null || client.SslCaLocation is not null, "Nothing was written.");
        // Copies, not wrappers: the client settings are shared with the producer (see ProducerSession).
        var config = new AdminClientConfig(new Dictionary<string, string>(client))
        {
            SocketConnectionSetupTimeoutMs = (int)Math.Max(1000, tuning.ConnectTimeout.TotalMilliseconds),
            // Confluent.Kafka's admin client polls its results with this timeout and Dispose waits for the poll to end: at
            // the default 100 ms every restore ended a tenth of a second later than it had to (measured: 150 ms to dispose).
            CancellationDelayMaxMs = 10,
        };
        try
        {
            _admin = new AdminClientBuilder(config)
                .SetLogHandler((_, m) =>
                {
                    _tls.Note(m.Message);
                    RestoreLog.Client(logger, m.Facility, m.Message);
                })
                .SetErrorHandler((_, e) =>
                {
                    _tls.Note(e.Reason);
                    RestoreLog.Client(logger, "ERROR", e.Reason);
                })
                .Build();
        }
        catch (InvalidOperationException e)
        {
            // librdkafka refuses the settings themselves (e.g. a TLS secret file that is not PEM); its message names the property, never the value.
            throw new KafkaRestoredException(FailureReason.InvalidClientConfig,
                $"cannot create a Kafka client for the target cluster at {Bootstrap}: {e.Message}; check spec.targetCluster.securityProtocol and the files of its tlsSecret (PEM certificates and keys) and saslSecret.", e);
        }
    }

    /// <summary>The bootstrap servers, for messages.</summary>
    public string Bootstrap { get; }

    /// <summary>Metadata of every topic; fails with ClusterUnreachable when the brokers cannot be reached in time.</summary>
    public Metadata Describe()
    {
        try
        {
            var metadata = _admin.GetMetadata(_tuning.ConnectTimeout);
            if (metadata.Brokers.Count == 0) throw new KafkaException(ErrorCode.BrokerNotAvailable);
            return metadata;
        }
        catch (KafkaException e) when (_tls.Explain(e) is { } tls)
        {
            throw tls;
        }
        catch (KafkaException e)
        {
            throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                $"cannot reach the target Kafka cluster at {Bootstrap} within {Seconds(_tuning.ConnectTimeout)} ({e.Error.Reason}); check spec.targetCluster.bootstrapServers, securityProtocol, TLS/SASL secrets and that the brokers are up and reachable from this machine.", e);
        }
    }

    /// <summary>
    /// Makes sure every target topic of the plan exists with enough partitions: creates missing ones
    /// with the backup's partition count (replication factor from the spec, else the broker default).
    /// </summary>
    public async Task EnsureTopicsAsync(RestorePlan plan, short? replicationFactor, CancellationToken ct)
    {
        var metadata = Describe();
        var existing = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count, StringComparer.Ordinal);
        var missing = new List<TopicPlan>();
        foreach (var topic in plan.Topics)
        {
            if (existing.TryGetValue(topic.TargetTopic, out var count))
            {
                if (count < topic.RequiredPartitions)
                {
                    throw new KafkaRestoredException(FailureReason.PartitionCountMismatch,
                        $"target topic '{topic.TargetTopic}' on {Bootstrap} has {Plural.Of(count, "partition")} but backup topic '{topic.SourceTopic}' needs {topic.RequiredPartitions} (records keep their partition number); add partitions (kafka-topics.sh --alter --topic {topic.TargetTopic} --partitions {topic.RequiredPartitions}), or map the topic to a new one with spec.topicMapping.");
                }
            }
            else if (topic.RequiredPartitions > 0)
            {
                missing.Add(topic);
            }
        }
        foreach (var topic in missing) await CreateTopicAsync(topic, replicationFactor, ct);
    }

    private async Task CreateTopicAsync(TopicPlan topic, short? replicationFactor, CancellationToken ct)
    {
        var timeout = _tuning.TopicCreationTimeout;
        var spec = new TopicSpecification
        {
            Name = topic.TargetTopic,
            NumPartitions = topic.RequiredPartitions,
            ReplicationFactor = replicationFactor ?? -1,
        };
        string? failure = null;
        try
        {
            await _admin.CreateTopicsAsync([spec], new CreateTopicsOptions { RequestTimeout = timeout, OperationTimeout = timeout })
                .WaitAsync(timeout + TimeSpan.FromSeconds(2), ct);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
            // Someone created it meanwhile: the partition count is checked below like any existing topic.
        }
        catch (CreateTopicsException e)
        {
            failure = string.Join("; ", e.Results.Where(r => r.Error.IsError).Select(r => $"{r.Error.Code}: {r.Error.Reason}"));
        }
        catch (KafkaException e)
        {
            failure = $"{e.Error.Code}: {e.Error.Reason}";
        }
        catch (TimeoutException)
        {
            failure = "no answer from the controller";
        }

        if (failure is null && await WaitForTopicAsync(topic, timeout, ct) is { } count)
        {
            if (count < topic.RequiredPartitions)
            {
                throw new KafkaRestoredException(FailureReason.PartitionCountMismatch,
                    $"target topic '{topic.TargetTopic}' on {Bootstrap} has {Plural.Of(count, "partition")} but backup topic '{topic.SourceTopic}' needs {topic.RequiredPartitions}; add partitions or map the topic to a new one with spec.topicMapping.");
            }
            RestoreLog.TopicCreated(_logger, topic.TargetTopic, topic.RequiredPartitions);
            return;
        }
        failure ??= "the topic did not appear in the cluster metadata";
        throw new KafkaRestoredException(FailureReason.TopicCreationFailed,
            $"target topic '{topic.TargetTopic}' does not exist and could not be created on {Bootstrap} within {Seconds(timeout)} ({failure}); create it yourself with {topic.RequiredPartitions} partitions (kafka-topics.sh --bootstrap-server {Bootstrap} --create --topic {topic.TargetTopic} --partitions {topic.RequiredPartitions}) and run the restore again.");
    }

    /// <summary>Waits until the topic shows in metadata; returns its partition count, or null on timeout.</summary>
    private async Task<int?> WaitForTopicAsync(TopicPlan topic, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (true)
        {
            var found = Describe().Topics.FirstOrDefault(t => t.Topic == topic.TargetTopic && t.Error.Code == ErrorCode.NoError);
            if (found is not null && found.Partitions.Count > 0) return found.Partitions.Count;
            if (_time.GetUtcNow() >= deadline) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(200), _time, ct);
        }
    }

    /// <summary>Log start (earliest) or end (latest, the high watermark) offsets of the given partitions.</summary>
    public async Task<Dictionary<(string Topic, int Partition), long>> OffsetsAsync(
        IReadOnlyCollection<(string Topic, int Partition)> partitions, bool earliest, CancellationToken ct)
    {
        var result = new Dictionary<(string, int), long>();
        if (partitions.Count == 0) return result;
        var pending = partitions.ToList();
        var deadline = _time.GetUtcNow() + _tuning.ConnectTimeout;
        string lastError = "";
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var request = pending.Select(p => new TopicPartitionOffsetSpec
            {
                TopicPartition = new TopicPartition(p.Topic, p.Partition),
                OffsetSpec = earliest ? OffsetSpec.Earliest() : OffsetSpec.Latest(),
            }).ToList();
            IEnumerable<ListOffsetsResultInfo> infos;
            try
            {
                var answer = await _admin.ListOffsetsAsync(request, new ListOffsetsOptions
                {
                    RequestTimeout = _tuning.ConnectTimeout,
                    IsolationLevel = IsolationLevel.ReadUncommitted,
                }).WaitAsync(_tuning.ConnectTimeout + TimeSpan.FromSeconds(2), ct);
                infos = answer.ResultInfos;
            }
            catch (ListOffsetsException e)
            {
                infos = e.Result.ResultInfos;
            }
            catch (Exception e) when (e is KafkaException or TimeoutException)
            {
                infos = [];
                lastError = e.Message;
            }
            foreach (var info in infos)
            {
                var tpoe = info.TopicPartitionOffsetError;
                if (tpoe.Error.IsError)
                {
                    lastError = $"{tpoe.Topic}[{tpoe.Partition.Value}]: {tpoe.Error.Reason}";
                    continue;
                }
                // Right after brokers come back, librdkafka can answer a partition with no error and no offset (-1001):
                // that is "not known yet", never an offset (read as one, it made a resume conclude the topic was recreated).
                if (tpoe.Offset.Value < 0)
                {
                    lastError = $"{tpoe.Topic}[{tpoe.Partition.Value}]: the answer held no offset ({tpoe.Offset.Value})";
                    continue;
                }
                result[(tpoe.Topic, tpoe.Partition.Value)] = tpoe.Offset.Value;
            }
            pending.RemoveAll(p => result.ContainsKey(p));
            if (pending.Count == 0) return result;
            if (_time.GetUtcNow() >= deadline)
            {
                throw new KafkaRestoredException(FailureReason.ClusterUnreachable,
                    $"cannot read the offsets of {pending.Count} target partitions (first: {pending[0].Topic}[{pending[0].Partition}]) from {Bootstrap} within {Seconds(_tuning.ConnectTimeout)} ({lastError}); check that the brokers are up and the partitions have leaders.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), _time, ct);
        }
    }

    /// <summary>
    /// Reads the record at each given offset through one assignment, so the fetches of all partitions
    /// go together. A partition whose record cannot be read in time (deleted by retention, say) is
    /// missing from the result.
    /// </summary>
    public async Task<Dictionary<(string Topic, int Partition), TargetRecord>> ReadRecordsAsync(
        IReadOnlyCollection<(string Topic, int Partition, long Offset)> wanted, CancellationToken ct)
    {
        var found = new Dictionary<(string Topic, int Partition), TargetRecord>();
        if (wanted.Count == 0) return found;
        _reader ??= new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig(new Dictionary<string, string>(_client))
        {
            GroupId = "kafka-restored-tail-check",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            FetchMaxBytes = 1 << 20,
        }).SetLogHandler((_, m) => RestoreLog.Client(_logger, m.Facility, m.Message)).Build();
        var pending = wanted.ToDictionary(w => (w.Topic, w.Partition), w => w.Offset);
        _reader.Assign(wanted.Select(w => new TopicPartitionOffset(w.Topic, w.Partition, w.Offset)));
        try
        {
            var deadline = _time.GetUtcNow() + _tuning.ConnectTimeout;
            while (pending.Count > 0 && _time.GetUtcNow() < deadline)
            {
                ct.ThrowIfCancellationRequested();
                ConsumeResult<byte[]?, byte[]?>? result;
                try
                {
                    result = await Task.Run(() => _reader.Consume(TimeSpan.FromMilliseconds(200)), ct);
                }
                catch (ConsumeException e)
                {
                    // That partition's record cannot be read: it stays missing (the caller treats it as unknown).
                    pending.Remove((e.ConsumerRecord?.Topic ?? "", e.ConsumerRecord?.Partition.Value ?? -1));
                    continue;
                }
                if (result?.Message is not { } m) continue;
                var key = (result.Topic, result.Partition.Value);
                if (pending.TryGetValue(key, out var offset) && result.Offset.Value == offset)
                {
                    found[key] = new TargetRecord(offset, m.Timestamp.UnixTimestampMs, m.Key, m.Value);
                    pending.Remove(key);
                }
            }
            return found;
        }
        finally
        {
            _reader.Unassign();
        }
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _admin.Dispose();
    }

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.#}s";
}
