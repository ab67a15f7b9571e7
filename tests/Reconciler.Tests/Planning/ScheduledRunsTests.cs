using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Tests.Planning;

/// <summary>Issue #24: when a KafkaBackup's slot (or a drill's time) is due, as a pure function of its schedule, its record and the time.</summary>
public sealed class ScheduledRunsTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 7, 1, 30, 0, TimeSpan.Zero);

    private static KafkaBackup Backup(string schedule, string zone = "") => (KafkaBackup)ResourceLoader.LoadText("b.yaml", $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata: {"{"}name: nightly{"}"}
        spec:
          kafkaCluster: {"{"}bootstrapServers: ["kafka:9092"]{"}"}
          topics: [orders]
          storage: {"{"}storageType: filesystem, filesystem: {"{"}path: /var/backups{"}"}{"}"}
          schedule: "{schedule}"{zone}
        """).Resources.Single().Resource;

    private static ResourceRecord Record(DateTimeOffset? lastSlot) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaBackup, "default", "nightly"),
        SpecHash = "h",
        CreatedAt = Created,
        Status = new KafkaBackupStatus { Phase = lastSlot is null ? ResourcePhase.Pending : ResourcePhase.Completed, LastScheduleTime = lastSlot },
    };

    private static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_backup_waits_for_its_first_slot_after_it_was_recorded()
    {
        var nightly = Backup("0 2 * * *");

        Assert.Null(ScheduledRuns.DueSlot(nightly, Record(null), At(7, 1, 59)));
        Assert.Equal(At(7, 2), ScheduledRuns.DueSlot(nightly, Record(null), At(7, 2, 0)));
        Assert.Equal(At(7, 2), ScheduledRuns.NextSlot(nightly, Created));
    }

    [Fact]
    public void A_slot_already_run_is_not_due_again_and_the_next_one_is()
    {
        var nightly = Backup("0 2 * * *");

        Assert.Null(ScheduledRuns.DueSlot(nightly, Record(At(7, 2)), At(7, 23, 59)));
        Assert.Equal(At(8, 2), ScheduledRuns.DueSlot(nightly, Record(At(7, 2)), At(8, 2, 5)));
    }

    [Fact]
    public void Of_many_missed_slots_only_the_latest_is_due()
    {
        var everyMinute = Backup("* * * * *");

        // Down from 02:00 to 05:17: 197 slots missed, one run, for 05:17.
        Assert.Equal(At(7, 5, 17), ScheduledRuns.DueSlot(everyMinute, Record(At(7, 2)), At(7, 5, 17).AddSeconds(40)));
        // Down longer than the look-back with no slot inside it (yearly): the first missed slot still runs once.
        var yearly = Backup("0 0 1 1 *");
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ScheduledRuns.DueSlot(yearly, Record(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_time_zone_moves_the_slots()
    {
        // 02:00 in Berlin is 01:00 UTC in December.
        var berlin = Backup("0 2 * * *", "\n  timeZone: Europe/Berlin");

        Assert.Equal(At(8, 1), ScheduledRuns.DueSlot(berlin, Record(At(7, 1)), At(8, 1, 1)));
        Assert.Null(ScheduledRuns.DueSlot(berlin, Record(At(7, 1)), At(8, 0, 59)));
    }

    [Fact]
    public void Down_for_years_on_a_yearly_schedule_the_latest_missed_slot_is_due_for_backups_and_drills_alike()
    {
        // No slot in the last 7 days: the slots since the first missed one are stepped through, and the latest runs (as documented).
        var yearly = Backup("0 0 1 1 *");
        var now = new DateTimeOffset(2027, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var latest = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(latest, ScheduledRuns.DueSlot(yearly, Record(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)), now));

        var drill = new KafkaRestoreDrill(new ObjectMeta("yearly", "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaRestoreDrillSpec("0 0 1 1 *", "b-1", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec("/var/backups")), null,
                new KafkaClusterSpec(new ValueList<string>(["127.0.0.1:9092"]), SecurityProtocol.Plaintext, null, null, null), "drill-", null, DrillObjectives.None));
        var record = new ResourceRecord
        {
            Id = drill.Id,
            SpecHash = "h",
            CreatedAt = Created,
            Status = new KafkaRestoreDrillStatus { Phase = ResourcePhase.Completed, StartTime = new DateTimeOffset(2024, 1, 1, 0, 0, 5, TimeSpan.Zero) },
        };
        Assert.Equal("scheduled time 2027-01-01T00:00:00Z is due", ScheduledRuns.Decide(drill, record, specChanged: false, now)!.StartWhy);
        // Positive control: before the first missed slot nothing is due.
        Assert.Null(ScheduledRuns.DueSlot(yearly, Record(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)), new DateTimeOffset(2024, 12, 31, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Kinds_without_a_schedule_have_no_slots()
    {
        Assert.False(ScheduledRuns.IsScheduled(null));
        Assert.Null(ScheduledRuns.NextSlot(null, Created));
        Assert.True(ScheduledRuns.IsScheduled(Backup("@daily")));
    }
}
