using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>How an assignment callback of a <see cref="GroupPoll"/> came about.</summary>
internal enum AssignmentChange
{
    /// <summary>Partitions were assigned to this member.</summary>
    Assigned,

    /// <summary>Partitions were taken back in a rebalance.</summary>
    Revoked,

    /// <summary>Partitions were lost: this member's session expired.</summary>
    Lost,
}

/// <summary>
/// A consumer in one of the daemons' coordination groups and the thread that polls it: it keeps the membership alive, reports
/// assignment changes, notices a poll gap of half a session or more (the process was paused: SIGSTOP, GC, a frozen VM),
/// commits offsets (which the coordinator accepts only from a member of the current generation) and leaves the group when
/// disposed, so the coordinator hands its partitions on at once. No records are read: the partitions are the point.
/// </summary>
internal sealed class GroupPoll : IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);
    private readonly TimeSpan _session;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private Thread? _thread;
    private long _lastPoll = Stopwatch.GetTimestamp();

    /// <summary>
    /// A member of <paramref name="groupId"/> on <paramref name="client"/>'s cluster (client id <c>kafka-restored-&lt;instance&gt;</c>,
    /// cooperative sticky assignment, heartbeat a tenth of <paramref name="session"/>); <paramref name="assignment"/> and
    /// <paramref name="paused"/> are called on the poll thread.
    /// </summary>
    public GroupPoll(ClientConfig client, string groupId, string instanceId, TimeSpan session, string name, ILogger logger,
        Action<List<TopicPartition>, AssignmentChange> assignment, Action paused)
    {
        _session = session;
        _name = name;
        _logger = logger;
        Paused = paused;
        var config = new ConsumerConfig(client.ToDictionary(kv => kv.Key, kv => kv.Value))
        {
            GroupId = groupId,
            ClientId = "kafka-restored-" + instanceId,
            SessionTimeoutMs = (int)session.TotalMilliseconds,
            HeartbeatIntervalMs = (int)Math.Max(100, session.TotalMilliseconds / 10),
            // A partition stays with its member when others join or come back.
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Latest,
            // A topic an operator creates after the start is seen within half a minute.
            TopicMetadataRefreshIntervalMs = 30_000,
        };
        _consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetPartitionsAssignedHandler((_, ps) => assignment(ps, AssignmentChange.Assigned))
            .SetPartitionsRevokedHandler((_, ps) => assignment([.. ps.Select(p => p.TopicPartition)], AssignmentChange.Revoked))
            .SetPartitionsLostHandler((_, ps) => assignment([.. ps.Select(p => p.TopicPartition)], AssignmentChange.Lost))
            .SetErrorHandler((_, e) => _logger.Log(e.IsFatal ? LogLevel.Error : LogLevel.Debug, "{Name} client: {Code} {Reason}", name, e.Code, e.Reason))
            .SetLogHandler((_, m) => _logger.LogDebug("librdkafka {Facility}: {Message}", m.Facility, m.Message))
            .Build();
    }

    private Action Paused { get; }

    /// <summary>The consumer's handle, for an admin client on the same connections.</summary>
    public Handle Handle => _consumer.Handle;

    /// <summary>Time since the poll thread last returned from a poll (long after a pause, until it polls again).</summary>
    public TimeSpan SincePoll => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastPoll));

    /// <summary>Subscribes to <paramref name="topics"/> and starts the poll thread.</summary>
    public void Start(params string[] topics)
    {
        _consumer.Subscribe(topics);
        _thread = new Thread(Poll) { IsBackground = true, Name = _name.ToLowerInvariant() };
        _thread.Start();
    }

    /// <summary>Commits <paramref name="offset"/> of one partition synchronously; the error code the coordinator answered (NoError when accepted).</summary>
    public ErrorCode Commit(string topic, int partition, long offset)
    {
        try
        {
            _consumer.Commit([new TopicPartitionOffset(topic, partition, offset)]);
            return ErrorCode.NoError;
        }
        catch (KafkaException e)
        {
            return e.Error.Code;
        }
    }

    private void Poll()
    {
        while (!_stop.IsCancellationRequested)
        {
            var before = Interlocked.Read(ref _lastPoll);
            try
            {
                _consumer.Consume(PollTimeout);
            }
            catch (ConsumeException e)
            {
                _logger.LogDebug("{Name} poll: {Code}", _name, e.Error.Code);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            Interlocked.Exchange(ref _lastPoll, Stopwatch.GetTimestamp());
            // A gap this long means the process was paused: what it held may have moved meanwhile.
            if (Stopwatch.GetElapsedTime(before) > _session / 2) Paused();
        }
    }

    /// <summary>Stops polling, leaves the group and closes the consumer.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _thread?.Join();
        try
        {
            _consumer.Close();
        }
        catch (KafkaException e)
        {
            _logger.LogDebug("Closing the {Name} consumer: {Error}", _name, e.Error.Reason);
        }
        _consumer.Dispose();
        _stop.Dispose();
    }
}
