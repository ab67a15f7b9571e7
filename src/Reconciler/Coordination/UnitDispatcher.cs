using System.Globalization;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Distributed mode, on the leader: spreads a restore over the members. Once the engine has done its preflight (and saved
/// every partition's start offset to the state topic), the partitions are placed in the slots of the units topic (partition
/// i of the plan in slot i mod slots), one unit per slot, written to the state topic; the members holding those slots run
/// them (<see cref="UnitWorker"/>). The leader waits for every unit's result, loads the run's state back and lets the engine
/// verify every partition. A restore whose leader changes keeps its units: the next leader finds them and waits for the same
/// dispatch. Deleted or out of time, the leader withdraws them and waits for the members to stop.
/// </summary>
public sealed class UnitDispatcher(UnitSlots slots, SharedRunState shared, StateStore store, TimeProvider time, ILogger logger)
{
    private int _saidNotSpread;

    /// <summary>A restore selecting fewer records than this is not spread: the leader writes it itself (0: spread every restore).</summary>
    public long MinRecords { get; init; }

    /// <summary>How often the leader reads the units' results.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the units may make no progress (no checkpoint moved, no unit ended) before the attempt fails UnitsStalled.</summary>
    public TimeSpan StallTimeout { get; init; } = RestoreTuning.Default.StallTimeout;

    /// <summary>How long a withdrawal waits for the members to say their units stopped (under the 30 s a cancelled run is waited for).</summary>
    public TimeSpan WithdrawWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The engine's spread hook for <paramref name="restore"/> run under <paramref name="runKey"/>; <paramref name="endsForGood"/>
    /// tells a cancellation that ends the run (deleted, out of time: withdraw the units) from a stand-down or a shutdown (keep them
    /// for the next leader).
    /// </summary>
    public Func<RestorePlan, Action<IReadOnlyDictionary<(string Topic, int Partition), long>>, CancellationToken, Task<SpreadOutcome?>> For(
        KafkaRestore restore, string runKey, Func<bool> endsForGood, ILogger log) =>
        (plan, progress, ct) => SpreadAsync(restore, runKey, plan, endsForGood, progress, log, ct);

    private async Task<SpreadOutcome?> SpreadAsync(KafkaRestore restore, string runKey, RestorePlan plan, Func<bool> endsForGood,
        Action<IReadOnlyDictionary<(string Topic, int Partition), long>> progress, ILogger log, CancellationToken ct)
    {
        if (plan.TotalRecords < MinRecords)
        {
            log.LogInformation("Not spreading {Resource}: {Records} records, fewer than CoordinationSpreadMinRecords ({Min}); the leader writes them itself",
                restore.Id.ToString(), plan.TotalRecords, MinRecords);
            return null;
        }
        var count = await Task.Run(slots.Count, ct);
        if (count == 0)
        {
            if (Interlocked.Exchange(ref _saidNotSpread, 1) == 0)
                logger.LogWarning("Restores are not spread over the members: the units topic {Topic} was not found; the leader writes every partition itself. Create it: {Command}",
                    slots.Topic, CoordinationTopics.CreateCommand("<coordination servers>", slots.Topic, slots.PartitionsWhenCreated));
            return null;
        }
        var partitions = plan.Partitions.ToList();
        if (partitions.Count == 0) return null;
        var yaml = ResourceYaml.Serialize(restore);
        var resource = restore.Id.ToString();
        var bySlot = partitions.Select((p, i) => (Slot: i % count, Partition: new UnitPartition(p.TargetTopic, p.Partition)))
            .GroupBy(x => x.Slot).ToDictionary(g => g.Key, g => (IReadOnlyList<UnitPartition>)[.. g.Select(x => x.Partition)]);
        var (existing, existingResults) = await Task.Run(() => shared.ReadUnits(ct), ct);
        var earlier = existing.Where(u => u.Run == runKey).ToList();
        // A new leader of the same run finds its predecessor's units: the same placement keeps their dispatch (and their results),
        // unless one of them failed (a failed attempt whose units were not removed): a new attempt gets a new dispatch.
        var same = earlier.Count == bySlot.Count && earlier.All(u => bySlot.TryGetValue(u.Slot, out var ps) && ps.SequenceEqual(u.Partitions) && u.Yaml == yaml)
            && !existingResults.Any(r => r.Run == runKey && r.Dispatch == earlier[0].Dispatch && r.Outcome == "Failed");
        var dispatch = same ? earlier[0].Dispatch : Guid.NewGuid().ToString("n")[..12];
        var units = bySlot.Select(kv => new RestoreUnit(runKey, kv.Key, dispatch, resource, yaml, kv.Value)).ToList();
        if (!same)
        {
            if (earlier.Count > 0) await Task.Run(() => shared.WithdrawUnits(runKey, earlier.Select(u => u.Slot).Except(bySlot.Keys)), ct);
            await Task.Run(() => shared.PublishUnits(units), ct);
        }
        log.LogInformation("Spread {Resource} over the members: {Partitions} partitions in {Units} units (slots of {Topic}), dispatch {Dispatch}{Again}",
            resource, partitions.Count, units.Count, slots.Topic, dispatch, same ? " (the units the previous leader placed)" : "");
        try
        {
            var results = await WaitAsync(runKey, dispatch, units.Count, progress, ct);
            if (results is null)
            {
                await WithdrawAsync(runKey, dispatch, units, log);
                return new SpreadOutcome(FailureReason.UnitsStalled,
                    $"no unit of the {units.Count} placed moved a checkpoint or ended for {StallTimeout}: no member runs them (check /healthz slots and units on every member, and their logs); the units were withdrawn and the attempt is retried");
            }
            if (results.FirstOrDefault(r => r.Outcome != "Completed") is { } failed)
            {
                // The other units stop (and say so) before the attempt ends, so that none still writes when the next one resumes.
                await WithdrawAsync(runKey, dispatch, units, log);
                var reason = FailureReason.FromName(failed.Reason) ?? FailureReason.UnexpectedError;
                return new SpreadOutcome(reason, $"the unit of slot {failed.Slot} ({Plural.Of(failed.Partitions, "partition")}) failed on {failed.Instance}: {failed.Message}");
            }
            // What the members wrote, for the engine's verification and the offset reset (its maps).
            await Task.Run(() => shared.Import(new LiteDbRestoreStateStore(store), null, runKey, ct), ct);
            await Task.Run(() => Forget(runKey, units), CancellationToken.None);
            var split = results.GroupBy(r => r.Instance, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Key} {Plural.Of(g.Sum(r => r.Partitions), "partition")} ({g.Sum(r => r.Records).ToString("N0", CultureInfo.InvariantCulture)} records)").ToList();
            var note = $"spread over {Plural.Of(split.Count, "member")}: {string.Join(", ", split)}";
            log.LogInformation("Every unit of {Resource} completed; {Split}", resource, note);
            return new SpreadOutcome(null, note);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested && endsForGood())
        {
            await WithdrawAsync(runKey, dispatch, units, log);
            throw;
        }
    }

    /// <summary>
    /// Withdraws every unit whose run is not in <paramref name="inFlight"/> on this leader: a run deleted while no leader was
    /// there to withdraw it, or not started here yet (it places its units again when it starts). Never throws: the next cycle
    /// tries again.
    /// </summary>
    public void WithdrawOrphans(IReadOnlySet<string> inFlight, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inFlight);
        try
        {
            var (units, results) = shared.ReadUnits(cancellationToken);
            foreach (var orphan in units.Where(u => !inFlight.Contains(u.Run)).GroupBy(u => u.Run, StringComparer.Ordinal))
            {
                shared.WithdrawUnits(orphan.Key, orphan.Select(u => u.Slot));
                logger.LogWarning("Withdrew {Count} units of {Run} ({Resource}): its run does not go on on this leader", orphan.Count(), orphan.Key, orphan.First().Resource);
            }
            // Results whose run is over and whose units are gone (a leader that stopped before removing them) are removed too.
            var placed = units.Select(u => (u.Run, u.Slot)).ToHashSet();
            foreach (var stale in results.Where(r => !inFlight.Contains(r.Run) && !placed.Contains((r.Run, r.Slot))).GroupBy(r => r.Run, StringComparer.Ordinal))
                shared.ForgetUnitResults(stale.Key, stale.Select(r => r.Slot));
        }
        catch (KafkaRestoredException e)
        {
            logger.LogDebug("Could not look for orphan units: {Error}", e.Message);
        }
    }

    /// <summary>Every unit's result of this dispatch, once all are there (checked every <see cref="PollInterval"/>); the first failure at once.</summary>
    /// <remarks>Null when nothing moved for <see cref="StallTimeout"/>: no checkpoint of the run changed and no unit ended.</remarks>
    private async Task<List<UnitResult>?> WaitAsync(string runKey, string dispatch, int units,
        Action<IReadOnlyDictionary<(string Topic, int Partition), long>> progress, CancellationToken ct)
    {
        var lastMove = time.GetTimestamp();
        var seen = "";
        while (true)
        {
            var (_, all) = await Task.Run(() => shared.ReadUnits(ct), ct);
            var mine = all.Where(r => r.Run == runKey && r.Dispatch == dispatch).ToList();
            if (mine.Any(r => r.Outcome == "Failed") || mine.Count(r => r.Outcome == "Completed") >= units) return mine;
            var checkpoints = shared.Checkpoints(runKey);
            progress(checkpoints.ToDictionary(c => (c.TargetTopic, c.Partition), c => c.RecordsConfirmed));
            // A checkpoint written (its time moves even when no record was acknowledged in between) or a unit ended is progress.
            var now = $"{mine.Count}|{(checkpoints.Count == 0 ? 0 : checkpoints.Max(c => c.UpdatedAt.ToUnixTimeMilliseconds()))}";
            if (now != seen)
            {
                seen = now;
                lastMove = time.GetTimestamp();
            }
            else if (time.GetElapsedTime(lastMove) > StallTimeout)
            {
                return null;
            }
            await Task.Delay(PollInterval, time, ct);
        }
    }

    /// <summary>Withdraws the units and waits (up to <see cref="WithdrawWait"/>) until every member running one says it stopped.</summary>
    private async Task WithdrawAsync(string runKey, string dispatch, List<RestoreUnit> units, ILogger log)
    {
        try
        {
            shared.WithdrawUnits(runKey, units.Select(u => u.Slot));
            var deadline = time.GetUtcNow() + WithdrawWait;
            var open = units.Select(u => u.Slot).ToHashSet();
            while (open.Count > 0 && time.GetUtcNow() < deadline)
            {
                var (_, results) = shared.ReadUnits(CancellationToken.None);
                open.ExceptWith(results.Where(r => r.Run == runKey && r.Dispatch == dispatch).Select(r => r.Slot));
                // A unit no member was running has nobody to answer: the slots held by nobody right now cannot be told apart here,
                // so the wait is bounded; the log says which slots did not answer.
                if (open.Count > 0) await Task.Delay(PollInterval, time);
            }
            if (open.Count > 0)
                log.LogWarning("Withdrew the units of {Run}; slots {Slots} did not say they stopped within {Wait} (not running, or their member is gone or paused)",
                    runKey, string.Join(",", open.Order()), WithdrawWait);
            else
                log.LogInformation("Withdrew the units of {Run}; every member running one stopped", runKey);
            Forget(runKey, units);
        }
        catch (KafkaRestoredException e)
        {
            log.LogWarning("Could not withdraw the units of {Run}: {Error}", runKey, e.Message);
        }
    }

    private void Forget(string runKey, List<RestoreUnit> units)
    {
        try
        {
            shared.WithdrawUnits(runKey, units.Select(u => u.Slot));
            shared.ForgetUnitResults(runKey, units.Select(u => u.Slot));
        }
        catch (KafkaRestoredException e)
        {
            logger.LogDebug("Could not remove the units of {Run}: {Error}", runKey, e.Message);
        }
    }
}
