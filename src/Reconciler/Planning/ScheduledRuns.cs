using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// When a scheduled kind (KafkaBackup) runs: at each slot of its spec.schedule after the last slot it ran (or after it was
/// first recorded, as a Kubernetes CronJob). Slots missed while the daemon was down run once, for the latest of them, not
/// once each. Pure, like the planner: the time comes in.
/// </summary>
public static class ScheduledRuns
{
    /// <summary>How far back a missed slot is looked for before falling back to the first slot after the last run.</summary>
    private static readonly TimeSpan LookBack = TimeSpan.FromDays(7);

    /// <summary>True for the kinds that run on a schedule rather than once.</summary>
    public static bool IsScheduled(KafkaResource? resource) => resource is KafkaBackup;

    /// <summary>The schedule of <paramref name="resource"/> (already validated); null for a kind without one.</summary>
    public static CronSchedule? ScheduleOf(KafkaResource? resource) =>
        resource is KafkaBackup b ? CronSchedule.TryParse(b.Spec.Schedule, b.Spec.TimeZone, out _) : null;

    /// <summary>The slot due at <paramref name="now"/>: the latest slot at or before it and after the last one run; null when none is due.</summary>
    public static DateTimeOffset? DueSlot(KafkaResource resource, ResourceRecord record, DateTimeOffset now)
    {
        if (ScheduleOf(resource) is not { } schedule) return null;
        var anchor = (record.Status as KafkaBackupStatus)?.LastScheduleTime ?? record.CreatedAt;
        if (anchor >= now) return null;
        var window = now - anchor < LookBack ? now - anchor : LookBack;
        if (schedule.Previous(now, window) is { } latest && latest > anchor) return latest;
        // Down longer than the look-back with no slot inside it (a yearly schedule): the first slot missed still runs once.
        return schedule.Next(anchor) is { } first && first <= now ? first : null;
    }

    /// <summary>The first slot of <paramref name="resource"/>'s schedule after <paramref name="after"/>; null for a kind without a schedule.</summary>
    public static DateTimeOffset? NextSlot(KafkaResource? resource, DateTimeOffset after) => ScheduleOf(resource)?.Next(after);
}
