using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Distributed mode's work slots: a consumer in a group of its own (the coordination group's id plus <c>.units</c>) subscribed
/// to the units topic, whose partitions are the slots a restore's units are placed in. Kafka's group coordinator assigns the
/// slots over the live members (cooperative sticky: a slot stays where it is while its holder lives) and hands a dead or
/// paused member's slots to the others once its session expires. A separate group from the leadership's, so that spreading
/// slots never moves partition 0 of the coordination topic (the leadership) to balance the assignment.
/// </summary>
public sealed class UnitSlots : IDisposable
{
    private readonly ClientConfig _client;
    private readonly string _group;
    private readonly TimeSpan _session;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _slots = [];
    private GroupPoll? _poll;
    private volatile bool _paused;
    private long _confirmations;
    private int _slotCount;
    private long _slotCountAt;

    /// <summary>Slots of <paramref name="topic"/> for the members of <paramref name="groupId"/>; <see cref="Start"/> joins.</summary>
    public UnitSlots(ClientConfig client, string groupId, string topic, string instanceId, TimeSpan sessionTimeout, TimeProvider time, ILogger logger)
    {
        _client = client;
        _group = groupId + ".units";
        Topic = topic;
        InstanceId = instanceId;
        _session = sessionTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>The units topic: its partitions are the slots.</summary>
    public string Topic { get; }

    /// <summary>This member's instance id.</summary>
    public string InstanceId { get; }

    /// <summary>How many partitions the daemon gives the units topic when it creates it.</summary>
    public int PartitionsWhenCreated { get; init; } = 12;

    /// <summary>Raised (on the poll thread) when slots are assigned here, revoked or lost, or a pause is noticed.</summary>
    public event Action? Changed;

    /// <summary>The slots assigned to this instance now (whatever a pause may have changed meanwhile: see <see cref="Holds"/>).</summary>
    public IReadOnlySet<int> Held
    {
        get
        {
            lock (_gate) return _slots.ToHashSet();
        }
    }

    /// <summary>Whether a pause was seen and the coordinator has not confirmed this member since (<see cref="ConfirmAsync"/>).</summary>
    public bool Paused => _paused;

    /// <summary>
    /// Whether this instance may write for a unit of <paramref name="slot"/> now, answered without asking the coordinator: the
    /// slot is assigned here, the poll thread polled within the session, and no pause was seen since the last confirmation.
    /// </summary>
    public bool Holds(int slot)
    {
        if (_paused || _poll is not { } poll || poll.SincePoll >= _session) return false;
        lock (_gate) return _slots.Contains(slot);
    }

    /// <summary>
    /// How many slots there are (the units topic's partition count, looked up at most every 30 s), or 0 when the topic cannot
    /// be found: then nothing is spread and the leader runs every restore itself.
    /// </summary>
    public int Count()
    {
        if (_poll is null) return 0;
        if (_slotCount > 0 && Stopwatch.GetElapsedTime(Interlocked.Read(ref _slotCountAt)) < TimeSpan.FromSeconds(30)) return _slotCount;
        try
        {
            using var admin = new DependentAdminClientBuilder(_poll.Handle).Build();
            var topic = admin.GetMetadata(Topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == Topic && t.Error.Code == ErrorCode.NoError);
            _slotCount = topic?.Partitions.Count ?? 0;
        }
        catch (KafkaException e)
        {
            _logger.LogDebug("Looking up the units topic {Topic}: {Error}", Topic, e.Error.Reason);
            _slotCount = 0;
        }
        Interlocked.Exchange(ref _slotCountAt, Stopwatch.GetTimestamp());
        return _slotCount;
    }

    /// <summary>Makes sure the units topic exists (in the background: creating it may take a while), joins the group and starts polling.</summary>
    public void Start()
    {
        _ = Task.Run(() => CoordinationTopics.Ensure(_client, Topic, "units", "until it exists, the leader runs every restore itself (nothing is spread)", _logger,
            PartitionsWhenCreated));
        _poll = new GroupPoll(_client, _group, InstanceId, _session, "Units", _logger, Assignment, OnPaused);
        _poll.Start(Topic);
        _logger.LogInformation("Distributed mode: instance {Instance} takes work units from the slots (partitions) of topic {Topic} assigned to it in group {Group}",
            InstanceId, Topic, _group);
    }

    /// <summary>
    /// After a pause: asks the coordinator whether this instance is still a member of the current generation by committing an
    /// offset of one of its slots; true (and the pause forgotten) when the coordinator accepts and the slot is still held.
    /// </summary>
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        if (_poll is null) return false;
        var slot = Held.Order().Cast<int?>().FirstOrDefault();
        if (slot is null) return false;
        var offset = Interlocked.Increment(ref _confirmations);
        var code = await Task.Run(() => _poll.Commit(Topic, slot.Value, offset), CancellationToken.None).WaitAsync(_session / 2, _time, cancellationToken)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : ErrorCode.RequestTimedOut, TaskScheduler.Default);
        if (code != ErrorCode.NoError || !Held.Contains(slot.Value)) return false;
        _paused = false;
        _logger.LogInformation("Units: the coordinator confirmed this member after a pause; it holds slots {Slots}", string.Join(",", Held.Order()));
        return true;
    }

    private void Assignment(List<TopicPartition> partitions, AssignmentChange change)
    {
        var held = change == AssignmentChange.Assigned;
        var what = change switch
        {
            AssignmentChange.Assigned => "assigned to this instance",
            AssignmentChange.Revoked => "revoked (a rebalance)",
            _ => "lost (this member's session expired)",
        };
        var slots = partitions.Where(p => p.Topic == Topic).Select(p => p.Partition.Value).ToList();
        if (slots.Count == 0) return;
        lock (_gate)
        {
            if (held) _slots.UnionWith(slots);
            else _slots.ExceptWith(slots);
        }
        // An assignment made after a pause was seen comes from a rebalance of the current generation: the coordinator knows
        // this member again (a member that lost every slot has none to confirm the pause with otherwise).
        if (held && _paused)
        {
            _paused = false;
            _logger.LogInformation("Units: assigned slots after a pause; this member is confirmed again");
        }
        _logger.LogInformation("Units: slots {Slots} {What}", string.Join(",", slots.Order()), what);
        Changed?.Invoke();
    }

    /// <summary>A gap in polling: the slots may have moved; nothing is written until confirmed again.</summary>
    private void OnPaused()
    {
        _paused = true;
        Changed?.Invoke();
    }

    /// <summary>Leaves the group (the coordinator hands the slots on at once) and closes the consumer.</summary>
    public void Dispose() => _poll?.Dispose();
}
