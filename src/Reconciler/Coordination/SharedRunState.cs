using System.Text.Json;
using Confluent.Kafka;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Provenance;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Distributed mode's restore state that every member can read: each checkpoint and offset map a leader saves is written,
/// before the save returns, to a compacted topic on the coordination cluster (one record per run, target topic and
/// partition), and a member that becomes the leader reads that topic to its end into its own store. So the next leader
/// resumes a restore from the checkpoints of the one before it, including each partition's end offset before the first
/// write, instead of finding records it did not write. Offset snapshots (what a <c>KafkaOffsetRollback</c> restores) are
/// shared the same way, so a rollback runs on whichever member leads.
/// </summary>
public sealed class SharedRunState : IDisposable
{
    /// <summary>Offset-map runs per record: at most about 600 KB of JSON, under the broker's default 1 MB message limit.</summary>
    internal const int RunsPerRecord = 10_000;

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly ClientConfig _client;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _readTimeout;
    private readonly ILogger _logger;
    private readonly Lazy<IProducer<string, byte[]?>> _producer;
    private readonly Lock _tailGate = new();
    private readonly Dictionary<string, byte[]> _tailLatest = new(StringComparer.Ordinal);
    private IConsumer<string, byte[]?>? _tail;
    private long _tailPosition;

    /// <summary>Shared state in <paramref name="topic"/> on <paramref name="client"/>'s cluster; a write or a read not answered within <paramref name="timeout"/> fails.</summary>
    public SharedRunState(ClientConfig client, string topic, TimeSpan timeout, ILogger logger)
    {
        _client = client;
        Topic = topic;
        _timeout = timeout;
        // A read has no deadline of its own to keep (nothing depends on it landing in time), and reading a topic takes several
        // round trips: at least 30 s, so that a slow coordination cluster is read rather than reported unreadable.
        _readTimeout = timeout < TimeSpan.FromSeconds(30) ? TimeSpan.FromSeconds(30) : timeout;
        _logger = logger;
        _producer = new Lazy<IProducer<string, byte[]?>>(() => new ProducerBuilder<string, byte[]?>(
            new ProducerConfig(client.ToDictionary(kv => kv.Key, kv => kv.Value))
            {
                Acks = Acks.All,
                EnableIdempotence = true,
                LingerMs = 0,
                MessageTimeoutMs = (int)timeout.TotalMilliseconds,
            })
            .SetLogHandler((_, m) => _logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build());
    }

    /// <summary>The compacted topic holding the state.</summary>
    public string Topic { get; }

    /// <summary>
    /// Whether this instance may write now (distributed mode: it leads and was not paused since it was confirmed); a deposed
    /// leader's run, cancelled as it stands down, must not replace the next leader's checkpoints with its own. Null: always.
    /// </summary>
    public Func<bool>? MayWrite { get; init; }

    /// <summary>Makes sure the topic exists (creating it where the cluster allows); false after logging the command to run.</summary>
    public bool EnsureTopic() =>
        CoordinationTopics.Ensure(_client, Topic, "shared run state", "until it exists, restores fail SharedStateUnavailable before writing", _logger);

    /// <summary>Writes <paramref name="checkpoints"/> of <paramref name="restoreKey"/>, returning once the cluster acknowledged every one.</summary>
    public void Publish(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints) => Publish(restoreKey, checkpoints, null);

    /// <summary>As <see cref="Publish(string, IReadOnlyCollection{RestoreCheckpoint})"/>, allowed by <paramref name="mayWrite"/> instead of <see cref="MayWrite"/> when given (a member's unit: it holds the unit's slot).</summary>
    public void Publish(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints, Func<bool>? mayWrite) =>
        Write([.. checkpoints.Select(c => (CheckpointKey(restoreKey, c.TargetTopic, c.Partition),
            (byte[]?)JsonSerializer.SerializeToUtf8Bytes(new Entry(restoreKey, c, null, null), Json)))], mayWrite);

    /// <summary>
    /// Writes what this member says about itself (key <c>member|&lt;instance&gt;</c>), returning once acknowledged. Not gated by
    /// <see cref="MayWrite"/>: every member, leading or not, says it is there.
    /// </summary>
    public void PublishMember(MemberRecord member)
    {
        ArgumentNullException.ThrowIfNull(member);
        Send([($"member|{member.Instance}", JsonSerializer.SerializeToUtf8Bytes(member, Json))]);
    }

    /// <summary>Every member record in the topic, by instance (what each daemon last said about itself).</summary>
    public IReadOnlyList<MemberRecord> ReadMembers(CancellationToken cancellationToken)
    {
        var members = new List<MemberRecord>();
        foreach (var (key, value) in ReadAll(cancellationToken))
        {
            if (!key.StartsWith("member|", StringComparison.Ordinal)) continue;
            try
            {
                if (JsonSerializer.Deserialize<MemberRecord>(value, Json) is { Instance: not null, Role: not null } m) members.Add(m);
            }
            catch (JsonException e)
            {
                _logger.LogWarning("Skipped a member record of the state topic {Topic}: {Error}", Topic, e.Message);
            }
        }
        return [.. members.OrderBy(m => m.Instance, StringComparer.Ordinal)];
    }

    /// <summary>Writes <paramref name="snapshot"/> (as its committed YAML), returning once acknowledged.</summary>
    public void Publish(OffsetSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Write([($"snapshot|{snapshot.Id}", JsonSerializer.SerializeToUtf8Bytes(new Entry("", null, null, OffsetSnapshotYaml.Render(snapshot)), Json))]);
    }

    /// <summary>Writes <paramref name="maps"/> of <paramref name="restoreKey"/> (a long map as several records), returning once acknowledged.</summary>
    public void Publish(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps) => Publish(restoreKey, maps, null);

    /// <summary>As <see cref="Publish(string, IReadOnlyCollection{PartitionOffsetMap})"/>, allowed by <paramref name="mayWrite"/> instead of <see cref="MayWrite"/> when given.</summary>
    public void Publish(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps, Func<bool>? mayWrite) =>
        Write([.. maps.SelectMany(m => MapParts(restoreKey, m))], mayWrite);

    /// <summary>The leader spreads a restore: writes its units (key <c>unit|&lt;run&gt;|&lt;slot&gt;</c>), returning once acknowledged.</summary>
    public void PublishUnits(IReadOnlyCollection<RestoreUnit> units) =>
        Write([.. units.Select(u => (UnitKey(u.Run, u.Slot), (byte[]?)JsonSerializer.SerializeToUtf8Bytes(u, Json)))]);

    /// <summary>A member says how its unit ended (key <c>unit-result|&lt;run&gt;|&lt;slot&gt;</c>), allowed by <paramref name="mayWrite"/> (it still holds the slot).</summary>
    public void PublishUnitResult(UnitResult result, Func<bool> mayWrite)
    {
        ArgumentNullException.ThrowIfNull(result);
        Write([(UnitResultKey(result.Run, result.Slot), JsonSerializer.SerializeToUtf8Bytes(result, Json))], mayWrite);
    }

    /// <summary>Withdraws the units of <paramref name="run"/> in <paramref name="slots"/> (tombstones; the members running them stop).</summary>
    public void WithdrawUnits(string run, IEnumerable<int> slots) =>
        Write([.. slots.Select(s => (UnitKey(run, s), (byte[]?)null))]);

    /// <summary>Removes the results of <paramref name="run"/>'s units in <paramref name="slots"/> (tombstones), once the leader has read them.</summary>
    public void ForgetUnitResults(string run, IEnumerable<int> slots) =>
        Write([.. slots.Select(s => (UnitResultKey(run, s), (byte[]?)null))]);

    /// <summary>
    /// Every unit and unit result in the topic now (a damaged record is skipped with a warning). Read through one consumer
    /// kept at the topic's end, so each call reads only what was written since the last (the leader and every member ask
    /// every second while checkpoints keep arriving).
    /// </summary>
    public (IReadOnlyList<RestoreUnit> Units, IReadOnlyList<UnitResult> Results) ReadUnits(CancellationToken cancellationToken)
    {
        var units = new List<RestoreUnit>();
        var results = new List<UnitResult>();
        foreach (var (key, value) in Tail(cancellationToken))
        {
            try
            {
                if (key.StartsWith("unit|", StringComparison.Ordinal)
                    && JsonSerializer.Deserialize<RestoreUnit>(value, Json) is { Run: not null, Dispatch: not null, Yaml: not null, Partitions: not null } u)
                    units.Add(u);
                else if (key.StartsWith("unit-result|", StringComparison.Ordinal)
                    && JsonSerializer.Deserialize<UnitResult>(value, Json) is { Run: not null, Dispatch: not null, Instance: not null, Outcome: not null } r)
                    results.Add(r);
            }
            catch (JsonException e)
            {
                _logger.LogWarning("Skipped a unit record of the state topic {Topic}: {Error}", Topic, e.Message);
            }
        }
        return (units, results);
    }

    /// <summary>Removes (with tombstones) what was written for <paramref name="restoreKey"/> of these checkpoints and maps.</summary>
    public void Forget(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints, IReadOnlyCollection<PartitionOffsetMap> maps) =>
        Write([.. checkpoints.Select(c => (CheckpointKey(restoreKey, c.TargetTopic, c.Partition), (byte[]?)null)),
            .. maps.SelectMany(m => Enumerable.Range(0, PartsOf(m)).Select(part => (MapKey(restoreKey, m.TargetTopic, m.Partition, part), (byte[]?)null)))]);

    /// <summary>
    /// Reads the topic to its end and saves every run's checkpoints and offset maps found there into <paramref name="local"/>,
    /// replacing what it held for the same partitions, and every offset snapshot <paramref name="snapshots"/> lacks; returns how
    /// many runs were loaded. Throws <see cref="KafkaRestoredException"/> (SharedStateUnavailable) when the topic cannot be read
    /// to its end in time.
    /// </summary>
    public int Import(IRestoreStateStore local, IOffsetSnapshotStore snapshots, CancellationToken cancellationToken) =>
        Import(local, snapshots, null, cancellationToken);

    /// <summary>
    /// As <see cref="Import(IRestoreStateStore, IOffsetSnapshotStore, CancellationToken)"/>, for the run <paramref name="onlyRun"/>
    /// alone when given (a member about to run one of its units), and without offset snapshots when <paramref name="snapshots"/> is null.
    /// </summary>
    public int Import(IRestoreStateStore local, IOffsetSnapshotStore? snapshots, string? onlyRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(local);
        var entries = ReadAll(cancellationToken)
            .Where(kv => !kv.Key.StartsWith("member|", StringComparison.Ordinal) && !kv.Key.StartsWith("unit", StringComparison.Ordinal))
            .Select(kv => Parse(kv.Value)).OfType<Entry>()
            .Where(e => onlyRun is null || e.Run == onlyRun).ToList();
        foreach (var yaml in snapshots is null ? [] : entries.Select(e => e.Snapshot).OfType<string>())
        {
            try
            {
                var snapshot = OffsetSnapshotYaml.Parse(yaml, $"the state topic {Topic}");
                if (snapshots!.Get(snapshot.Id) is null) snapshots.Save(snapshot);
            }
            catch (KafkaRestoredException e)
            {
                _logger.LogWarning("Skipped an offset snapshot in the state topic {Topic}: {Error}", Topic, e.Message);
            }
        }
        var runs = entries.Where(e => e.Snapshot is null && !string.IsNullOrEmpty(e.Run))
            .Where(e => e.Checkpoint is { TargetTopic: not null, SourceTopic: not null, Fingerprint: not null } || e.Map is { TargetTopic: not null, SourceTopic: not null, Runs: not null })
            .GroupBy(e => e.Run, StringComparer.Ordinal).ToList();
        foreach (var run in runs)
        {
            var maps = run.Where(e => e.Map is not null).Select(e => e.Map!)
                .GroupBy(m => (m.TargetTopic, m.Partition))
                .Select(g => g.OrderBy(m => m.Part).ToList())
                // A map is used only when every part of its latest write is there.
                .Where(parts => parts[0].Part == 0 && parts.Count >= parts[0].Parts && parts.Take(parts[0].Parts).Select(p => p.Part).SequenceEqual(Enumerable.Range(0, parts[0].Parts)))
                .Select(parts => new PartitionOffsetMap(parts[0].SourceTopic, parts[0].TargetTopic, parts[0].Partition,
                    parts.Take(parts[0].Parts).SelectMany(p => p.Runs).Select(r => new OffsetRun(r[0], r[1], r[2]))))
                .ToList();
            var checkpoints = run.Where(e => e.Checkpoint is not null).Select(e => e.Checkpoint!).ToList();
            if (maps.Count > 0) local.SaveOffsetMaps(run.Key, maps);
            if (checkpoints.Count > 0) local.SaveCheckpoints(run.Key, checkpoints);
        }
        return runs.Count;
    }

    /// <summary>Reads the topic on from where the last look stopped (what <see cref="Members"/> and <see cref="Checkpoints"/> answer from).</summary>
    public void Refresh(CancellationToken cancellationToken) => Tail(cancellationToken);

    /// <summary>Every member record as of the last look (<see cref="Refresh"/>, <see cref="ReadUnits"/>); a damaged one is skipped.</summary>
    public IReadOnlyList<MemberRecord> Members()
    {
        lock (_tailGate)
        {
            var members = new List<MemberRecord>();
            foreach (var (key, value) in _tailLatest.Where(kv => kv.Key.StartsWith("member|", StringComparison.Ordinal)))
            {
                try
                {
                    if (JsonSerializer.Deserialize<MemberRecord>(value, Json) is { Instance: not null, Role: not null } m) members.Add(m);
                }
                catch (JsonException)
                {
                    // Skipped, as ReadMembers does (which logs it).
                }
            }
            return members;
        }
    }

    /// <summary>
    /// The checkpoints of <paramref name="restoreKey"/> as of the last <see cref="ReadUnits"/> (the leader's view of a spread
    /// restore's progress while it waits); a damaged record is skipped.
    /// </summary>
    public IReadOnlyList<RestoreCheckpoint> Checkpoints(string restoreKey)
    {
        var prefix = restoreKey + "|checkpoint|";
        lock (_tailGate)
        {
            return [.. _tailLatest.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(kv => Parse(kv.Value)?.Checkpoint).OfType<RestoreCheckpoint>()];
        }
    }

    /// <summary>The unit records (keys <c>unit</c>...) and checkpoints as of the topic's current end, read on from where the last call stopped.</summary>
    private Dictionary<string, byte[]> Tail(CancellationToken cancellationToken)
    {
        lock (_tailGate)
        {
            try
            {
                if (_tail is null)
                {
                    _tail = new ConsumerBuilder<string, byte[]?>(new ConsumerConfig(_client.ToDictionary(kv => kv.Key, kv => kv.Value))
                    {
                        // Assigned, never subscribed: nothing joins a group or commits.
                        GroupId = "kafka-restored-state-reader",
                        EnableAutoCommit = false,
                        AutoOffsetReset = AutoOffsetReset.Earliest,
                    }).SetLogHandler((_, m) => _logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message)).Build();
                    _tail.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
                    _tailPosition = 0;
                }
                var end = _tail.QueryWatermarkOffsets(new TopicPartition(Topic, 0), _readTimeout).High.Value;
                if (end < _tailPosition)
                {
                    // The topic was recreated: read it again from its start.
                    _logger.LogWarning("The state topic {Topic} ends at offset {End}, before offset {Position} already read: recreated? Reading it again from its start", Topic, end, _tailPosition);
                    _tailLatest.Clear();
                    _tail.Assign(new TopicPartitionOffset(Topic, 0, Offset.Beginning));
                    _tailPosition = 0;
                }
                var deadline = DateTime.UtcNow + _readTimeout;
                while (_tailPosition < end)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (DateTime.UtcNow > deadline)
                        throw Unavailable($"the state topic {Topic} could not be read to its end in {_readTimeout.TotalSeconds:0.#} s");
                    var result = _tail.Consume(TimeSpan.FromMilliseconds(200));
                    if (result?.Message is null)
                    {
                        // Offsets no record is returned for (a compacted gap or control records at the end) still count as read.
                        var position = _tail.Position(new TopicPartition(Topic, 0));
                        if (position != Offset.Unset && position.Value > _tailPosition) _tailPosition = position.Value;
                        continue;
                    }
                    _tailPosition = result.Offset.Value + 1;
                    if (!result.Message.Key.StartsWith("unit", StringComparison.Ordinal) && !result.Message.Key.StartsWith("member|", StringComparison.Ordinal)
                        && !result.Message.Key.Contains("|checkpoint|", StringComparison.Ordinal)) continue;
                    if (result.Message.Value is null) _tailLatest.Remove(result.Message.Key);
                    else _tailLatest[result.Message.Key] = result.Message.Value;
                }
                return new Dictionary<string, byte[]>(_tailLatest, StringComparer.Ordinal);
            }
            catch (KafkaException k)
            {
                throw Unavailable($"the state topic {Topic} could not be read ({k.Error.Code}: {k.Error.Reason})");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_producer.IsValueCreated) _producer.Value.Dispose();
        lock (_tailGate)
        {
            _tail?.Close();
            _tail?.Dispose();
            _tail = null;
        }
    }

    private static string CheckpointKey(string run, string topic, int partition) => $"{run}|checkpoint|{topic}|{partition}";

    private static string UnitKey(string run, int slot) => $"unit|{run}|{slot}";

    private static string UnitResultKey(string run, int slot) => $"unit-result|{run}|{slot}";

    private static string MapKey(string run, string topic, int partition, int part) => $"{run}|map|{topic}|{partition}|{part}";

    private static int PartsOf(PartitionOffsetMap map) => Math.Max(1, (map.Runs.Count + RunsPerRecord - 1) / RunsPerRecord);

    private static IEnumerable<(string, byte[]?)> MapParts(string run, PartitionOffsetMap map)
    {
        var parts = PartsOf(map);
        for (var part = 0; part < parts; part++)
        {
            var runs = map.Runs.Skip(part * RunsPerRecord).Take(RunsPerRecord).Select(r => new[] { r.SourceStart, r.TargetStart, r.Length }).ToArray();
            yield return (MapKey(run, map.TargetTopic, map.Partition, part),
                JsonSerializer.SerializeToUtf8Bytes(new Entry(run, null, new MapPart(map.SourceTopic, map.TargetTopic, map.Partition, part, parts, runs), null), Json));
        }
    }

    private void Write(IReadOnlyList<(string Key, byte[]? Value)> records, Func<bool>? mayWrite = null)
    {
        if (records.Count == 0) return;
        if (mayWrite is not null)
        {
            if (!mayWrite())
                throw Unavailable("this instance does not hold the unit's slot any more (or was paused and is not confirmed again), so it shares no restore state; the member holding the slot resumes the work");
        }
        else if (MayWrite is { } may && !may())
            throw Unavailable("this instance does not lead (or was paused and is not confirmed again), so it shares no restore state; the leader resumes the work");
        Send(records);
    }

    private void Send(IReadOnlyList<(string Key, byte[]? Value)> records)
    {
        try
        {
            var sent = records.Select(r => _producer.Value.ProduceAsync(Topic, new Message<string, byte[]?> { Key = r.Key, Value = r.Value })).ToArray();
            if (!Task.WaitAll(sent, _timeout))
                throw Unavailable($"the coordination cluster did not acknowledge {records.Count} state records in {_timeout.TotalSeconds:0.#} s");
        }
        catch (AggregateException e) when (e.InnerException is KafkaException k)
        {
            throw Unavailable($"the coordination cluster refused a state record ({k.Error.Code}: {k.Error.Reason})");
        }
        catch (KafkaException k)
        {
            throw Unavailable($"the state records could not be sent ({k.Error.Code}: {k.Error.Reason})");
        }
    }

    private Dictionary<string, byte[]> ReadAll(CancellationToken cancellationToken)
    {
        var latest = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var config = new ConsumerConfig(_client.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            // Assigned, never subscribed: the id only satisfies the client; nothing joins a group or commits.
            GroupId = "kafka-restored-state-reader",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };
        using var consumer = new ConsumerBuilder<string, byte[]?>(config)
            .SetLogHandler((_, m) => _logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build();
        var deadline = DateTime.UtcNow + _readTimeout;
        try
        {
            using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
            var partitions = admin.GetMetadata(Topic, _readTimeout).Topics.SingleOrDefault(t => t.Topic == Topic && t.Error.Code == ErrorCode.NoError)?.Partitions
                ?? throw Unavailable($"the state topic {Topic} was not found on the coordination cluster");
            var ends = new Dictionary<int, long>();
            foreach (var p in partitions)
            {
                var high = consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p.PartitionId), _readTimeout).High.Value;
                if (high > 0) ends[p.PartitionId] = high;
            }
            if (ends.Count == 0) return latest;
            consumer.Assign(ends.Keys.Select(p => new TopicPartitionOffset(Topic, p, Offset.Beginning)));
            while (ends.Count > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (DateTime.UtcNow > deadline)
                    throw Unavailable($"the state topic {Topic} could not be read to its end in {_readTimeout.TotalSeconds:0.#} s");
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result?.Message is null) continue;
                if (result.Message.Value is null) latest.Remove(result.Message.Key);
                else latest[result.Message.Key] = result.Message.Value;
                if (result.Offset.Value + 1 >= ends.GetValueOrDefault(result.Partition.Value, long.MaxValue)) ends.Remove(result.Partition.Value);
            }
            return latest;
        }
        catch (KafkaException k)
        {
            throw Unavailable($"the state topic {Topic} could not be read ({k.Error.Code}: {k.Error.Reason})");
        }
    }

    private Entry? Parse(byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<Entry>(value, Json);
        }
        catch (JsonException e)
        {
            // Another writer's record (or a damaged one) is skipped, not trusted: a partition without state fails safe (TargetNotEmpty).
            _logger.LogWarning("Skipped a record of the state topic {Topic} that is not restore state: {Error}", Topic, e.Message);
            return null;
        }
    }

    private static KafkaRestoredException Unavailable(string what) =>
        new(FailureReason.SharedStateUnavailable, $"Distributed mode: {what}. Nothing more is written until the shared state is saved; the attempt is retried.");

    /// <summary>One record's value: a checkpoint or a part of an offset map of one run, or an offset snapshot's YAML.</summary>
    private sealed record Entry(string Run, RestoreCheckpoint? Checkpoint, MapPart? Map, string? Snapshot);

    /// <summary>Part <see cref="Part"/> of <see cref="Parts"/> of a partition's offset map, runs as [source, target, length].</summary>
    private sealed record MapPart(string SourceTopic, string TargetTopic, int Partition, int Part, int Parts, long[][] Runs);
}
