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
/// assigned to this instance. The units of one restore held here run together, as one run of the restore engine limited to
/// their partitions (one producer, and the spec's resource limits for this member as a whole), from the checkpoints in the
/// state topic (so a unit that moved here from a dead member resumes where that member's last acknowledged write ended),
/// writing its checkpoints back there only while it holds every one of those slots; it reports how each unit ended for the
/// leader. A slot gained, revoked or lost restarts the run on the new set (it resumes, each record once); a pause, or the
/// leader withdrawing the units, stops it at once.
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
    private readonly Dictionary<string, Running> _running = new(StringComparer.Ordinal);

    // Units this member completed or failed and reported: never run again, whatever a late read of the topic shows.
    private readonly HashSet<(string Run, int Slot, string Dispatch)> _endedHere = [];
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
        _slots.Changed += Wake;
    }

    /// <summary>Engine tuning for the units' runs.</summary>
    public RestoreTuning Tuning { get; init; } = RestoreTuning.Default;

    /// <summary>The units running here now, as "resource (run) slots a,b: P partitions" (for /healthz).</summary>
    public IReadOnlyList<string> Units
    {
        get
        {
            lock (_gate)
            {
                return [.. _running.Values.Select(r => $"{r.Units[0].Resource} ({r.Run}) slots {string.Join(",", r.Units.Select(u => u.Slot))}: {r.Units.Sum(u => u.Partitions.Count)} partitions")
                    .Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Makes the loop look now (at most one look pending).</summary>
    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
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
        var ended = results.Select(r => (r.Run, r.Slot, r.Dispatch)).ToHashSet();
        lock (_gate)
        {
            // Forget what ended here once the leader removed the run's units.
            var placedRuns = units.Select(u => u.Run).ToHashSet(StringComparer.Ordinal);
            _endedHere.RemoveWhere(e => !placedRuns.Contains(e.Run));
            ended.UnionWith(_endedHere);
        }
        // Per run, the units to run here: placed, in a slot held here, not ended.
        var wanted = units.Where(u => _slots.Holds(u.Slot) && !ended.Contains((u.Run, u.Slot, u.Dispatch)))
            .GroupBy(u => u.Run, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(u => u.Slot).ToList(), StringComparer.Ordinal);
        var placed = units.ToDictionary(u => (u.Run, u.Slot));
        CancelWhere(r => r.Units.Any(u => !placed.TryGetValue((u.Run, u.Slot), out var now) || now.Dispatch != u.Dispatch), Withdrawn);
        CancelWhere(r => r.Units.Any(u => !_slots.Holds(u.Slot)), "a slot of it was revoked or lost");
        CancelWhere(r => wanted.TryGetValue(r.Run, out var w) && !w.Select(u => u.Slot).SequenceEqual(r.Units.Select(u => u.Slot)), "this member's slots changed");
        foreach (var (run, set) in wanted)
        {
            lock (_gate)
            {
                // A run being stopped is started again on the next look, once it has stopped.
                if (_running.ContainsKey(run)) continue;
                var running = new Running(run, set, CancellationTokenSource.CreateLinkedTokenSource(ct));
                _running[run] = running;
                running.Task = Task.Run(() => RunUnitsAsync(running), CancellationToken.None);
            }
        }
    }

    private const string Withdrawn = "the leader withdrew it";

    private void CancelWhere(Func<Running, bool> which, string why)
    {
        List<Running> stopping;
        lock (_gate) stopping = [.. _running.Values.Where(r => !r.Cancellation.IsCancellationRequested && which(r))];
        foreach (var r in stopping)
        {
            r.Why = why;
            _logger.LogWarning("Units: stopping {Resource} slots {Slots}: {Why}", r.Units[0].Resource, r.Slots, why);
            r.Cancellation.Cancel();
        }
    }

    private async Task RunUnitsAsync(Running running)
    {
        var units = running.Units;
        var ct = running.Cancellation.Token;
        try
        {
            _logger.LogInformation("Units: running {Resource} slots {Slots}: {Partitions} partitions", units[0].Resource, running.Slots, units.Sum(u => u.Partitions.Count));
            var result = await RunEngineAsync(running, ct);
            // Stopped here (whatever the engine made of it: a checkpoint refused after a pause reads as a failure), never reported as a failure.
            if (result.Outcome == RestoreOutcome.Cancelled || running.Why is not null)
            {
                // Withdrawn by the leader: say so, so the leader knows they stopped. A lost slot says nothing: its next holder goes on.
                if (running.Why == Withdrawn) Report(running, "Cancelled", null, result.Message, result);
                _logger.LogInformation("Units: {Resource} slots {Slots} stopped ({Why}): {Message}", units[0].Resource, running.Slots, running.Why ?? "cancelled", result.Message);
                return;
            }
            Report(running, result.Outcome == RestoreOutcome.Completed ? "Completed" : "Failed", result.Reason, result.Message, result);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            if (running.Why == Withdrawn) Report(running, "Cancelled", null, "stopped before writing", null);
            _logger.LogInformation("Units: {Resource} slots {Slots} stopped ({Why}) before writing", units[0].Resource, running.Slots, running.Why ?? "cancelled");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(e, "Units: {Resource} slots {Slots} ended unexpectedly", units[0].Resource, running.Slots);
            Report(running, "Failed", FailureReason.UnexpectedError.Name, "the unit's run ended unexpectedly; the daemon log of " + _slots.InstanceId + " has the details", null);
        }
        finally
        {
            lock (_gate) _running.Remove(running.Run);
            running.Cancellation.Dispose();
            Wake();
        }
    }

    /// <summary>The engine on the units' partitions, after the member checked the resource again and loaded the run's shared state.</summary>
    private async Task<RestoreResult> RunEngineAsync(Running running, CancellationToken ct)
    {
        var first = running.Units[0];
        var loaded = ResourceLoader.LoadText($"unit {first.Run} slot {first.Slot} of the state topic {_shared.Topic}", first.Yaml);
        if (loaded.HasErrors || loaded.Resources is not [{ Resource: KafkaRestore restore }])
            return Refused(FailureReason.UnexpectedError, "the unit's resource in the state topic is not a valid KafkaRestore: " + string.Join("; ", loaded.Diagnostics.Where(d => d.IsError).Take(3)));
        if (PolicyEvaluator.Evaluate(_policy, restore) is { Count: > 0 } denials)
            return Refused(FailureReason.PolicyDenied, $"the host policy of {_slots.InstanceId} denies this resource; nothing was written: " + string.Join("; ", denials.Select(d => d.ToString())));
        var local = new LiteDbRestoreStateStore(_store);
        // The checkpoints of whoever wrote these partitions before (the leader's start offsets, a dead member's progress).
        try
        {
            await Task.Run(() => _shared.Import(local, null, running.Run, ct), ct);
        }
        catch (KafkaRestoredException e)
        {
            return Refused(e.Reason, "nothing was written: " + e.Message);
        }
        var slots = running.Units.Select(u => u.Slot).ToArray();
        var env = new RestoreEnvironment(_secrets, new ReplicatedRestoreStateStore(local, _shared) { MayWrite = () => slots.All(_slots.Holds) }, running.Run)
        {
            Logger = _logger,
            Time = _time,
            Tuning = Tuning,
            Policy = _policy,
            Only = running.Units.SelectMany(u => u.Partitions).Select(p => (p.Topic, p.Partition)).ToHashSet(),
        };
        return await RestoreEngine.RunAsync(restore.Spec, restore.Metadata.Namespace, env, null, ct);
    }

    private RestoreResult Refused(FailureReason reason, string message)
    {
        var now = _time.GetUtcNow();
        return new RestoreResult(RestoreOutcome.Failed, reason.Name, message, now, now, 0, 0, [], [], [], null) { Failure = reason };
    }

    /// <summary>Reports each unit of <paramref name="running"/>: its partitions and the records they hold from this restore.</summary>
    private void Report(Running running, string outcome, string? reason, string message, RestoreResult? result)
    {
        var written = result?.Partitions.ToDictionary(v => (v.TargetTopic, v.Partition), v => v.Written) ?? [];
        foreach (var unit in running.Units)
        {
            try
            {
                var records = unit.Partitions.Sum(p => written.GetValueOrDefault((p.Topic, p.Partition)));
                _shared.PublishUnitResult(new UnitResult(unit.Run, unit.Slot, unit.Dispatch, _slots.InstanceId, outcome, reason, message, unit.Partitions.Count, records),
                    () => _slots.Holds(unit.Slot));
                if (outcome != "Cancelled")
                {
                    lock (_gate) _endedHere.Add((unit.Run, unit.Slot, unit.Dispatch));
                }
                _logger.LogInformation("Units: {Resource} slot {Slot} {Outcome}: {Message}", unit.Resource, unit.Slot, outcome, message);
            }
            catch (KafkaRestoredException e)
            {
                // Not holding the slot any more (or the cluster not answering): the slot's next holder runs the unit again from its checkpoints.
                _logger.LogWarning("Units: could not report {Resource} slot {Slot} {Outcome}: {Error}", unit.Resource, unit.Slot, outcome, e.Message);
            }
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

    private sealed class Running(string run, List<RestoreUnit> units, CancellationTokenSource cancellation)
    {
        public string Run { get; } = run;

        public List<RestoreUnit> Units { get; } = units;

        public string Slots => string.Join(",", Units.Select(u => u.Slot));

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public Task? Task { get; set; }

        public string? Why { get; set; }
    }
}
