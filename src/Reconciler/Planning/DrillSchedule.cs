using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// When a KafkaRestoreDrill runs: at the first schedule time after its last run started (after it was
/// first recorded, before any run). A drill whose time has passed runs once, however many times were
/// missed (the daemon was down); a new drill waits for its first time. Pure: no I/O, no clock.
/// </summary>
public static class DrillSchedule
{
    /// <summary>What the planner does with a drill this cycle: actions, and the reason to start it (null: not now).</summary>
    public sealed record Decision(IReadOnlyList<PlanAction> Actions, string? StartWhy);

    /// <summary>The hold of a drill recorded now that has not run yet.</summary>
    public static PlanAction Await(KafkaRestoreDrill drill, DateTimeOffset since)
    {
        ArgumentNullException.ThrowIfNull(drill);
        var next = drill.Spec.ParsedSchedule().Next(since);
        return new PlanAction(PlanActionKind.AwaitSchedule, drill.Id,
            next is { } t ? $"schedule \"{drill.Spec.Schedule}\": first run at {Format(t)}" : $"schedule \"{drill.Spec.Schedule}\" has no future time: it never runs");
    }

    /// <summary>
    /// The decision for a drill with record <paramref name="rec"/> (not executing, no rerun requested), or null
    /// when the planner's usual rules apply (an interrupted or retrying attempt).
    /// </summary>
    public static Decision? Decide(KafkaRestoreDrill drill, ResourceRecord rec, bool specChanged, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(drill);
        ArgumentNullException.ThrowIfNull(rec);
        var due = DueTime(drill, rec, now);
        switch (rec.Phase)
        {
            case ResourcePhase.Pending:
                List<PlanAction> actions = specChanged
                    ? [new PlanAction(PlanActionKind.NewGeneration, drill.Id, $"spec changed before the first run: new generation {rec.Generation + 1}")]
                    : [];
                if (due is null)
                {
                    actions.Add(Await(drill, rec.Status.StartTime ?? rec.CreatedAt));
                    return new Decision(actions, null);
                }
                return new Decision(actions, $"scheduled time {Format(due.Value)} is due");
            case ResourcePhase.Completed or ResourcePhase.Failed:
                if (due is null || drill.Suspend)
                {
                    var next = drill.Spec.ParsedSchedule().Next(Since(rec));
                    var why = drill.Suspend ? "spec.suspend is true: no scheduled run starts" : $"last run {rec.Phase}; next run at {(next is { } n ? Format(n) : "never")}";
                    return new Decision([new PlanAction(PlanActionKind.Unchanged, drill.Id, why + (specChanged ? "; the changed spec applies from then" : ""))], null);
                }
                return new Decision(
                    [new PlanAction(PlanActionKind.NewGeneration, drill.Id, $"scheduled time {Format(due.Value)} is due: new generation {rec.Generation + 1}")],
                    $"scheduled time {Format(due.Value)} is due");
            default:
                return null;
        }
    }

    /// <summary>The next schedule time of every drill in <paramref name="desired"/> that has a record, for the loop to wake up then.</summary>
    public static IEnumerable<DateTimeOffset> NextTimes(DesiredState? desired, IReadOnlyList<ResourceRecord> records)
    {
        if (desired is null) yield break;
        ArgumentNullException.ThrowIfNull(records);
        var byId = records.Where(r => !r.Tombstone).ToDictionary(r => r.Id);
        foreach (var d in desired.Resources.Values)
        {
            if (d is not { IsValid: true, Resource: KafkaRestoreDrill { Suspend: false } drill } || !byId.TryGetValue(d.Id, out var rec)) continue;
            if (drill.Spec.ParsedSchedule().Next(Since(rec)) is { } next) yield return next;
        }
    }

    /// <summary>The latest schedule time in (last run, now], found with <c>Previous</c>; null when none passed.</summary>
    private static DateTimeOffset? DueTime(KafkaRestoreDrill drill, ResourceRecord rec, DateTimeOffset now)
    {
        var schedule = drill.Spec.ParsedSchedule();
        var since = Since(rec);
        // Next is one step; Previous, which names the missed time that runs, is only asked once something passed.
        if (schedule.Next(since) is not { } first || first > now) return null;
        return schedule.Previous(now, now - first) ?? first;
    }

    /// <summary>When the last run started; before any run, when the drill was first recorded.</summary>
    private static DateTimeOffset Since(ResourceRecord rec) => rec.Status.StartTime ?? rec.CreatedAt;

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
