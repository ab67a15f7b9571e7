using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Distributed mode, on every member (the leader too): runs the restore units the leader placed in the slots the group
/// assigned to this instance. Each unit is one run of the restore engine limited to the unit's partitions, from the
/// checkpoints in the state topic (so a unit that moved here from a dead member resumes where that member's last
/// acknowledged write ended), writing its checkpoints back there only while it holds the slot; it reports how the unit
/// ended for the leader. A slot revoked or lost, a pause, or the leader withdrawing the unit stops it at once.
/// </summary>
public sealed class UnitWorker : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private readonly UnitSlots _slots;
    private readonly SharedRunState _shared;
    private readonly StateStore _store;
    private readonly SecretStore _secrets;
    private readonly HostPolicy? _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Run, int Slot), Running> _running = [];
    private Task? _loop;

    /// <summary>Runs units from <paramref name="slots"/> with the restore state of <paramref name="shared"/> and this member's store, secrets and policy.</summary>
    public UnitWorker(UnitSlots slots, SharedRunState shared, StateStore store, SecretStore secrets, HostPolicy? policy, TimeProvider time, ILogger logger)
    {
        _slots = slots;
        _shared = shared;
        _store = store;
        _secrets = secrets;
        _policy = policy;
        _time = time;
        _logger = logger;
        _slots.Changed += () => _wake.Release();
    }

    /// <summary>Engine tuning for the units' runs.</summary>
    public RestoreTuning Tuning { get; init; } = RestoreTuning.Default;

    /// <summary>The units running here now, as "run slot N: P partitions" (for /healthz).</summary>
    public IReadOnlyList<string> Units
    {
        get
        {
            lock (_gate) return [.. _running.Values.Select(r => $"{r.Unit.Resource} ({r.Unit.Run}) slot {r.Unit.Slot}: {r.Unit.Partitions.Count} partitions").Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>Starts looking for units every second and whenever the slots change.</summary>
    public void Start() => _loop = Task.Run(LoopAsync);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await CycleAsync(_stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (KafkaRestoredException e)
            {
                _logger.LogDebug("Units: could not read the state topic: {Error}", e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "Units: unexpected error; looking again in {Tick}", Tick);
            }
            try
            {
                await _wake.WaitAsync(Tick, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CycleAsync(CancellationToken ct)
    {
        if (_slots.Paused)
        {
            // Whatever ran here may belong to another member now: stop it before asking the coordinator.
            CancelWhere(_ => true, "this process was paused");
            if (!await _slots.ConfirmAsync(ct)) return;
        }
        var (units, results) = _shared.ReadUnits(ct);
        var current = units.ToDictionary(u => (u.Run, u.Slot));
        CancelWhere(r => !_slots.Holds(r.Unit.Slot), "its slot was revoked or lost");
        CancelWhere(r => !current.TryGetValue((r.Unit.Run, r.Unit.Slot), out var u) || u.Dispatch != r.Unit.Dispatch, "the leader withdrew it");
        var ended = results.Select(r => (r.Run, r.Slot, r.Dispatch)).ToHashSet();
        foreach (var unit in units)
        {
            if (!_slots.Holds(unit.Slot) || ended.Contains((unit.Run, unit.Slot, unit.Dispatch))) continue;
            lock (_gate)
            {
                if (_running.ContainsKey((unit.Run, unit.Slot))) continue;
                var running = new Running(unit, CancellationTokenSource.CreateLinkedTokenSource(ct));
                _running[(unit.Run, unit.Slot)] = running;
                running.Task = Task.Run(() => RunUnitAsync(running), CancellationToken.None);
            }
        }
    }

    private void CancelWhere(Func<Running, bool> which, string why)
    {
        List<Running> stopping;
        lock (_gate) stopping = [.. _running.Values.Where(r => !r.Cancellation.IsCancellationRequested && which(r))];
        foreach (var r in stopping)
        {
            r.Why = why;
            _logger.LogWarning("Units: stopping {Resource} slot {Slot}: {Why}", r.Unit.Resource, r.Unit.Slot, why);
            r.Cancellation.Cancel();
        }
    }

    private async Task RunUnitAsync(Running running)
    {
        var unit = running.Unit;
        var ct = running.Cancellation.Token;
        try
        {
            _logger.LogInformation("Units: running {Resource} slot {Slot}: {Partitions} partitions ({First}...)", unit.Resource, unit.Slot, unit.Partitions.Count,
                string.Join(", ", unit.Partitions.Take(3).Select(p => $"{p.Topic}[{p.Partition}]")));
            var result = await RunEngineAsync(unit, ct);
            if (result.Outcome == RestoreOutcome.Cancelled)
            {
                // Withdrawn by the leader: say so, so the leader knows it stopped. A lost slot says nothing: its next holder goes on.
                if (running.Why == "the leader withdrew it") Report(unit, "Cancelled", null, result.Message, result.RestoredRecords);
                _logger.LogInformation("Units: {Resource} slot {Slot} stopped ({Why}): {Message}", unit.Resource, unit.Slot, running.Why ?? "cancelled", result.Message);
                return;
            }
            Report(unit, result.Outcome == RestoreOutcome.Completed ? "Completed" : "Failed", result.Reason, result.Message, result.RestoredRecords);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Units: {Resource} slot {Slot} ended unexpectedly", unit.Resource, unit.Slot);
            Report(unit, "Failed", FailureReason.UnexpectedError.Name, "the unit's run ended unexpectedly; the daemon log of " + _slots.InstanceId + " has the details", 0);
        }
        finally
        {
            lock (_gate) _running.Remove((unit.Run, unit.Slot));
            running.Cancellation.Dispose();
            _wake.Release();
        }
    }

    /// <summary>The engine on the unit's partitions, after the member checked the resource again and loaded the run's shared state.</summary>
    private async Task<RestoreResult> RunEngineAsync(RestoreUnit unit, CancellationToken ct)
    {
        var loaded = ResourceLoader.LoadText($"unit {unit.Run} slot {unit.Slot} of the state topic {_shared.Topic}", unit.Yaml);
        if (loaded.HasErrors || loaded.Resources is not [{ Resource: KafkaRestore restore }])
            return Refused(FailureReason.UnexpectedError, "the unit's resource in the state topic is not a valid KafkaRestore: " + string.Join("; ", loaded.Diagnostics.Where(d => d.IsError).Take(3)));
        if (PolicyEvaluator.Evaluate(_policy, restore) is { Count: > 0 } denials)
            return Refused(FailureReason.PolicyDenied, $"the host policy of {_slots.InstanceId} denies this resource; nothing was written: " + string.Join("; ", denials.Select(d => d.ToString())));
        var local = new LiteDbRestoreStateStore(_store);
        // The checkpoints of whoever wrote these partitions before (the leader's start offsets, a dead member's progress).
        await Task.Run(() => _shared.Import(local, null, unit.Run, ct), ct);
        var env = new RestoreEnvironment(_secrets, new ReplicatedRestoreStateStore(local, _shared) { MayWrite = () => _slots.Holds(unit.Slot) }, unit.Run)
        {
            Logger = _logger,
            Time = _time,
            Tuning = Tuning,
            Policy = _policy,
            Only = unit.Partitions.Select(p => (p.Topic, p.Partition)).ToHashSet(),
        };
        return await RestoreEngine.RunAsync(restore.Spec, restore.Metadata.Namespace, env, null, ct);
    }

    private RestoreResult Refused(FailureReason reason, string message)
    {
        var now = _time.GetUtcNow();
        return new RestoreResult(RestoreOutcome.Failed, reason.Name, message, now, now, 0, 0, [], [], [], null) { Failure = reason };
    }

    private void Report(RestoreUnit unit, string outcome, string? reason, string message, long records)
    {
        try
        {
            _shared.PublishUnitResult(new UnitResult(unit.Run, unit.Slot, unit.Dispatch, _slots.InstanceId, outcome, reason, message, unit.Partitions.Count, records),
                () => _slots.Holds(unit.Slot));
            _logger.LogInformation("Units: {Resource} slot {Slot} {Outcome}: {Message}", unit.Resource, unit.Slot, outcome, message);
        }
        catch (KafkaRestoredException e)
        {
            // Not holding the slot any more (or the cluster not answering): the slot's next holder runs the unit again from its checkpoints.
            _logger.LogWarning("Units: could not report {Resource} slot {Slot} {Outcome}: {Error}", unit.Resource, unit.Slot, outcome, e.Message);
        }
    }

    /// <summary>Stops every unit (their checkpoints stay in the state topic for the slots' next holders) and the loop.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        CancelWhere(_ => true, "the daemon is stopping");
        _stop.Cancel();
        Task[] tasks;
        lock (_gate) tasks = [.. _running.Values.Select(r => r.Task).OfType<Task>()];
        try
        {
            Task.WaitAll([.. tasks, _loop ?? Task.CompletedTask], TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
            // Each unit logged how it ended.
        }
        _stop.Dispose();
    }

    private sealed class Running(RestoreUnit unit, CancellationTokenSource cancellation)
    {
        public RestoreUnit Unit { get; } = unit;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task? Task { get; set; }

        public string? Why { get; set; }
    }
}
