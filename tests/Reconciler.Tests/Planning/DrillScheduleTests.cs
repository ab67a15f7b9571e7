using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>When the planner starts a KafkaRestoreDrill: on its schedule, once for any number of missed times, never while suspended.</summary>
public sealed class DrillScheduleTests
{
    // Sunday 03:00 UTC weekly; the last run started Sunday 2026-11-29 03:00.
    private static readonly DateTimeOffset LastRun = new(2026, 11, 29, 3, 0, 0, TimeSpan.Zero);

    private static KafkaRestoreDrill Drill(bool suspend = false) => new(
        new ObjectMeta("weekly", "team-a", ValueMap.Empty, ValueMap.Empty),
        new KafkaRestoreDrillSpec("0 3 * * 0", "b-1", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec("/var/backups")), null,
            new KafkaClusterSpec(new ValueList<string>(["127.0.0.1:9092"]), SecurityProtocol.Plaintext, null, null, null), "drill-", null, DrillObjectives.None))
    { Suspend = suspend };

    private static ResourceRecord Record(ResourcePhase phase, DateTimeOffset? started) => new()
    {
        Id = Drill().Id,
        SpecHash = "h1",
        CreatedAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
        Status = new KafkaRestoreDrillStatus { Phase = phase, StartTime = started, ObservedGeneration = 3 },
    };

    [Fact]
    public void A_completed_drill_waits_for_its_next_time_and_then_starts_one_new_generation()
    {
        var before = ScheduledRuns.Decide(Drill(), Record(ResourcePhase.Completed, LastRun), specChanged: false, LastRun.AddDays(6))!;
        Assert.Null(before.StartWhy);
        Assert.Equal("last run Completed; next run at 2026-12-06T03:00:00Z", Assert.Single(before.Actions).Reason);
        Assert.Equal(PlanActionKind.Unchanged, before.Actions[0].Kind);

        // Three Sundays missed (the daemon was down): one run, named by the latest missed time.
        var after = ScheduledRuns.Decide(Drill(), Record(ResourcePhase.Failed, LastRun), specChanged: false, LastRun.AddDays(21).AddHours(5))!;
        Assert.Equal("scheduled time 2026-12-20T03:00:00Z is due", after.StartWhy);
        var action = Assert.Single(after.Actions);
        Assert.Equal((PlanActionKind.NewGeneration, "scheduled time 2026-12-20T03:00:00Z is due: new generation 4"), (action.Kind, action.Reason));
    }

    [Fact]
    public void A_suspended_drill_starts_no_scheduled_run_and_a_spec_change_waits_for_the_next_time()
    {
        var due = LastRun.AddDays(8);
        var suspended = ScheduledRuns.Decide(Drill(suspend: true), Record(ResourcePhase.Completed, LastRun), specChanged: false, due)!;
        Assert.Null(suspended.StartWhy);
        Assert.Equal("spec.suspend is true: no scheduled run starts", Assert.Single(suspended.Actions).Reason);

        var changed = ScheduledRuns.Decide(Drill(), Record(ResourcePhase.Completed, LastRun), specChanged: true, LastRun.AddDays(1))!;
        Assert.Null(changed.StartWhy);
        Assert.EndsWith("the changed spec applies from then", Assert.Single(changed.Actions).Reason, StringComparison.Ordinal);

        // Positive control: the same drill, not suspended, starts at the same time.
        Assert.NotNull(ScheduledRuns.Decide(Drill(), Record(ResourcePhase.Completed, LastRun), specChanged: false, due)!.StartWhy);
    }

    [Fact]
    public void A_drill_interrupted_while_running_is_left_to_the_usual_resume_rules()
    {
        Assert.Null(ScheduledRuns.Decide(Drill(), Record(ResourcePhase.Running, LastRun), specChanged: false, LastRun.AddDays(30)));
    }
}
