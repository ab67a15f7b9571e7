using System.Collections.Concurrent;
using Confluent.Kafka;

namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>One Confluent.Kafka consumer-group member polled on its own thread; records its assignment and every rebalance callback.</summary>
internal sealed class GroupMember : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> _consumer;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private List<int> _assigned = [];

    public GroupMember(string bootstrap, string group, string topic, int sessionTimeoutMs, string name)
    {
        Name = name;
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            SessionTimeoutMs = sessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(100, sessionTimeoutMs / 10),
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            EnableAutoCommit = false,
            ClientId = name,
        };
        _consumer = new ConsumerBuilder<Ignore, Ignore>(config)
            .SetPartitionsAssignedHandler((_, ps) => Change("assigned", ps, add: true))
            .SetPartitionsRevokedHandler((_, ps) => Change("revoked", [.. ps.Select(p => p.TopicPartition)], add: false))
            .SetPartitionsLostHandler((_, ps) => Change("lost", [.. ps.Select(p => p.TopicPartition)], add: false))
            .SetErrorHandler((_, e) => Events.Enqueue("error " + e.Code))
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Poll) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public string Name { get; }

    /// <summary>Callbacks and errors in order ("assigned 0", "revoked 0", "lost 0", "error ...").</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    public IReadOnlyList<int> Assigned
    {
        get
        {
            lock (_gate) return [.. _assigned];
        }
    }

    /// <summary>Commits offset <paramref name="offset"/> of partition 0 synchronously (the coordinator checks member id and generation); the error code, NoError on success.</summary>
    public ErrorCode TryCommit(string topic, long offset)
    {
        try
        {
            _consumer.Commit([new TopicPartitionOffset(topic, 0, offset)]);
            return ErrorCode.NoError;
        }
        catch (KafkaException e)
        {
            return e.Error.Code;
        }
    }

    private void Change(string what, List<TopicPartition> partitions, bool add)
    {
        lock (_gate)
        {
            _assigned = add ? [.. _assigned.Union(partitions.Select(p => p.Partition.Value))] : [.. _assigned.Except(partitions.Select(p => p.Partition.Value))];
        }
        Events.Enqueue($"{what} {string.Join(",", partitions.Select(p => p.Partition.Value))}");
    }

    private void Poll()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                Events.Enqueue("consume-error " + e.Error.Code);
            }
        }
    }

    /// <summary>Leaves the group (LeaveGroup) and closes the consumer.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
    }
}
