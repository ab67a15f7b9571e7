using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Leadership through Kafka's group coordinator (no protocol of our own): a consumer in the coordination group
/// subscribes to the one-partition coordination topic, and the member assigned partition 0 leads. A poll thread
/// keeps the membership alive and notices revocation, loss and long gaps (a paused process); each confirmation
/// commits an offset of partition 0, which the coordinator accepts only from the member of the current generation
/// that holds it, so a member whose session expired learns so before it acts.
/// </summary>
public sealed class KafkaLeadership : ILeadership, IDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(200);
    private readonly ClientConfig _client;
    private readonly string _group;
    private readonly string _topic;
    private readonly TimeSpan _session;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private GroupPoll? _poll;
    private volatile bool _holds;
    private volatile bool _paused;
    private long _confirmations;
    private LeadershipState _state;

    /// <summary>Prepares membership of <paramref name="groupId"/> on <paramref name="client"/>'s cluster; <see cref="Start"/> joins.</summary>
    public KafkaLeadership(ClientConfig client, string groupId, string topic, string instanceId, TimeSpan sessionTimeout, TimeProvider time, ILogger logger)
    {
        _client = client;
        _group = groupId;
        _topic = topic;
        _session = sessionTimeout;
        _time = time;
        _logger = logger;
        InstanceId = instanceId;
        _state = new LeadershipState(instanceId, "member", time.GetUtcNow(), 0, "joining the coordination group");
    }

    /// <inheritdoc />
    public string InstanceId { get; }

    /// <summary>Raised (on the poll thread) when partition 0 is assigned, revoked or lost, or a long poll gap is noticed: the loop should cycle now.</summary>
    public event Action? Changed;

    /// <summary>
    /// Raised on the poll thread the moment it sees that the process was paused for half a session or more: whatever this
    /// instance was running may have been taken over meanwhile, so it should stop writing before it asks the coordinator.
    /// </summary>
    public event Action? Paused;

    /// <summary>The membership as last confirmed.</summary>
    public LeadershipState State
    {
        get
        {
            lock (_gate) return _state;
        }
    }

    /// <summary>
    /// Whether this instance may write shared state now, answered without asking the coordinator: it was confirmed as the
    /// leader, still holds partition 0, and no pause has been seen since (a woken process must be confirmed again first).
    /// </summary>
    public bool MayWrite =>
        !_paused && _holds && _poll is { } poll && poll.SincePoll < _session && State.Role == "leader";

    /// <summary>The exact command an operator runs when the daemon may not create the coordination topic.</summary>
    public string CreateTopicCommand(string bootstrap) => CoordinationTopics.CreateCommand(bootstrap, _topic);

    /// <summary>Makes sure the coordination topic exists (creating it where the cluster allows), then joins the group and starts polling.</summary>
    public void Start()
    {
        EnsureTopic();
        _poll = new GroupPoll(_client, _group, InstanceId, _session, "Coordination", _logger, Assignment, OnPaused);
        _poll.Start(_topic);
        _logger.LogInformation("Distributed mode: instance {Instance} joins group {Group} on topic {Topic} (session timeout {Session}); the member holding partition 0 leads",
            InstanceId, _group, _topic, _session);
    }

    /// <inheritdoc />
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        if (_poll is null) return Settle(false, "not started");
        var gap = _poll.SincePoll;
        if (!_holds) return Settle(false, "another instance holds partition 0 of the coordination topic (or none does yet)");
        if (gap > _session) return Settle(false, $"no poll of the coordination group for {gap.TotalSeconds:0.#} s (paused?), longer than the session timeout");
        var deadline = Stopwatch.StartNew();
        var attempt = TimeSpan.FromTicks(Math.Min(_session.Ticks / 2, TimeSpan.FromSeconds(10).Ticks));
        while (true)
        {
            var offset = Interlocked.Increment(ref _confirmations);
            var code = await Task.Run(() => Commit(offset), CancellationToken.None).WaitAsync(attempt, _time, cancellationToken)
                .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : ErrorCode.RequestTimedOut, TaskScheduler.Default);
            cancellationToken.ThrowIfCancellationRequested();
            if (code is ErrorCode.UnknownMemberId or ErrorCode.FencedInstanceId)
                return Settle(false, $"the coordinator does not know this member any more ({code}); another instance may lead now");
            if (!_holds) return Settle(false, "partition 0 of the coordination topic was revoked or lost");
            if (code == ErrorCode.NoError)
            {
                _paused = false;
                return Settle(true, "holds partition 0 of the coordination topic, confirmed by the coordinator");
            }
            // The coordinator knows this member, mid-rebalance: the cooperative sticky assignor moves partition 0 only after
            // revoking it here (which the callback reports), so nobody else holds it meanwhile. A rebalance can outlast a session.
            if (code is ErrorCode.IllegalGeneration or ErrorCode.RebalanceInProgress)
                return Settle(true, $"holds partition 0 of the coordination topic; the coordinator knows this member and is rebalancing ({code})");
            if (deadline.Elapsed > _session)
                return Settle(false, $"the coordinator did not confirm this member ({code}); another instance may lead now");
            await Task.Delay(PollTimeout, _time, cancellationToken);
        }
    }

    private ErrorCode Commit(long offset) => _poll!.Commit(_topic, 0, offset);

    private bool Settle(bool leading, string reason)
    {
        lock (_gate)
        {
            var role = leading ? "leader" : "member";
            if (role == _state.Role)
            {
                _state = _state with { Reason = reason };
                return leading;
            }
            _state = new LeadershipState(InstanceId, role, _time.GetUtcNow(), _state.Changes + 1, reason);
        }
        if (leading) _logger.LogInformation("Instance {Instance} now leads group {Group}: {Reason}; reconciling", InstanceId, _group, reason);
        else _logger.LogWarning("Instance {Instance} does not lead group {Group} any more: {Reason}; it stops starting work and pushing, and cancels its runs", InstanceId, _group, reason);
        return leading;
    }

    private void Assignment(List<TopicPartition> partitions, AssignmentChange change)
    {
        if (!partitions.Any(p => p.Partition.Value == 0)) return;
        _holds = change == AssignmentChange.Assigned;
        _logger.LogInformation("Coordination: {What}", change switch
        {
            AssignmentChange.Assigned => "partition 0 of the coordination topic was assigned to this instance",
            AssignmentChange.Revoked => "partition 0 was revoked (a rebalance)",
            _ => "partition 0 was lost (this member's session expired)",
        });
        Changed?.Invoke();
    }

    /// <summary>A gap in polling: nothing is shared and the loop asks the coordinator before it acts again.</summary>
    private void OnPaused()
    {
        _paused = true;
        Paused?.Invoke();
        Changed?.Invoke();
    }

    private void EnsureTopic() =>
        CoordinationTopics.Ensure(_client, _topic, "coordination", "until it exists and the cluster answers, no instance leads", _logger);

    /// <summary>Leaves the group (the coordinator hands partition 0 on at once) and closes the consumer.</summary>
    public void Dispose() => _poll?.Dispose();
}
