using System.Globalization;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// When a scheduled resource is next due, the one home for both scheduled kinds: a KafkaBackup runs at each slot of its
/// spec.schedule after the last slot it ran, a KafkaRestoreDrill at each schedule time after its last run started (each before
/// any run: after it was first recorded, as a Kubernetes CronJob). Times missed while the daemon was down run once, for the
/// latest of them, not once each. Pure, like the planner: the time comes in.
/// </summary>
public static class ScheduledRuns
{
    /// <summary>How far back a missed time is looked for at once; beyond it the schedule's times are stepped through.</summary>
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(7);

    /// <summary>What the planner does with a drill this cycle: actions, and the reason to start it (null: not now).</summary>
    public sealed record Decision(IReadOnlyList<PlanAction> Actions, string? StartWhy);

    /// <summary>True for the kinds that run in slots of their schedule, each slot recorded (KafkaBackup); drills are planned by <see cref="Decide"/>.</summary>
    public static bool IsScheduled(KafkaResource? resource) => resource is KafkaBackup;

    /// <summary>The schedule of <paramref name="resource"/> (already validated); null for a kind without slots.</summary>
    public static CronSchedule? ScheduleOf(KafkaResource? resource) =>
        resource is KafkaBackup b ? CronSchedule.TryParse(b.Spec.Schedule, b.Spec.TimeZone, out _) : null;

    /// <summary>The KafkaBackup slot due at <paramref name="now"/>: the latest slot at or before it and after the last one run; null when none is due.</summary>
    public static DateTimeOffset? DueSlot(KafkaResource resource, ResourceRecord record, DateTimeOffset now)
    {
        if (ScheduleOf(resource) is not { } schedule) return null;
        return LatestDue(schedule, (record.Status as KafkaBackupStatus)?.LastScheduleTime ?? record.CreatedAt, now);
    }

    /// <summary>The first slot of <paramref name="resource"/>'s schedule after <paramref name="after"/>; null for a kind without slots.</summary>
    public static DateTimeOffset? NextSlot(KafkaResource? resource, DateTimeOffset after) => ScheduleOf(resource)?.Next(after);

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
        var due = LatestDue(drill.Spec.ParsedSchedule(), DrillSince(rec), now);
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
                    var next = drill.Spec.ParsedSchedule().Next(DrillSince(rec));
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
    public static IEnumerable<DateTimeOffset> NextDrillTimes(DesiredState? desired, IReadOnlyList<ResourceRecord> records)
    {
        if (desired is null) yield break;
        ArgumentNullException.ThrowIfNull(records);
        var byId = records.Where(r => !r.Tombstone).ToDictionary(r => r.Id);
        foreach (var d in desired.Resources.Values)
        {
            if (d is not { IsValid: true, Resource: KafkaRestoreDrill { Suspend: false } drill } || !byId.TryGetValue(d.Id, out var rec)) continue;
            if (drill.Spec.ParsedSchedule().Next(DrillSince(rec)) is { } next) yield return next;
        }
    }

    /// <summary>The latest time of <paramref name="schedule"/> in (<paramref name="anchor"/>, <paramref name="now"/>]; null when none passed.</summary>
    private static DateTimeOffset? LatestDue(CronSchedule schedule, DateTimeOffset anchor, DateTimeOffset now)
    {
        // Next is one step; Previous, which names the missed time that runs, is only asked once something passed.
        if (schedule.Next(anchor) is not { } first || first > now) return null;
        if (schedule.Previous(now, now - first < LookBack ? now - first : LookBack) is { } latest) return latest;
        // Down longer than the look-back with no time inside it (a yearly schedule): step through the few times since the first missed.
        var last = first;
        while (schedule.Next(last) is { } t && t <= now) last = t;
        return last;
    }

    /// <summary>When the drill's last run started; before any run, when the drill was first recorded.</summary>
    private static DateTimeOffset DrillSince(ResourceRecord rec) => rec.Status.StartTime ?? rec.CreatedAt;

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
