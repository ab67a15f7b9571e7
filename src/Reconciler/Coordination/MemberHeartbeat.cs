using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Distributed mode: every member says it is there, with its role, in the state topic every third of the session
/// timeout, and <c>stopped</c> as it stops cleanly; <c>kafka-restored status --members</c> reads it. A member not heard
/// from for a session timeout is gone (or cut off) as far as anyone can tell.
/// </summary>
public sealed class MemberHeartbeat : IDisposable
{
    private readonly SharedRunState _shared;
    private readonly KafkaLeadership _leadership;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private readonly Lock _gate = new();
    private bool _stopped;

    /// <summary>Starts saying <paramref name="leadership"/>'s role in <paramref name="shared"/>'s topic every <paramref name="interval"/>.</summary>
    public MemberHeartbeat(SharedRunState shared, KafkaLeadership leadership, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _shared = shared;
        _leadership = leadership;
        _time = time;
        _logger = logger;
        _timer = time.CreateTimer(_ => Beat(null), null, TimeSpan.Zero, interval);
    }

    /// <summary>The slots this member holds and the restores it runs units of (null: no units).</summary>
    public Func<(IReadOnlyList<int> Slots, int Units)>? UnitsHeld { get; set; }

    /// <summary>Says <c>stopped</c>, then stops saying anything.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        Beat("stopped");
        lock (_gate) _stopped = true;
    }

    private void Beat(string? role)
    {
        // A periodic beat while the last one still waits on the cluster (down, slow) is skipped, not queued behind it.
        if (role is null)
        {
            if (!_gate.TryEnter()) return;
            try
            {
                BeatLocked(null);
            }
            finally
            {
                _gate.Exit();
            }
            return;
        }
        lock (_gate) BeatLocked(role);
    }

    private void BeatLocked(string? role)
    {
        if (_stopped) return;
        var state = _leadership.State;
        try
        {
            var units = role is null ? UnitsHeld?.Invoke() : null;
            _shared.PublishMember(new MemberRecord(state.InstanceId, Environment.MachineName, role ?? state.Role,
                role is null ? state.Since : _time.GetUtcNow(), _time.GetUtcNow(), role is null ? state.Reason : "stopped cleanly")
            {
                Slots = units?.Slots,
                Units = units?.Units,
            });
            // What the others said, for /metrics (read on from the last look: only what is new).
            if (role is null) _shared.Refresh(CancellationToken.None);
        }
        catch (KafkaRestored.Restore.KafkaRestoredException e)
        {
            _logger.LogDebug("Could not say this member is there: {Error}", e.Message);
        }
    }
}
