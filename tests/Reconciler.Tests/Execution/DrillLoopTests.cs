using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #24, a KafkaRestoreDrill on its schedule through the reconcile loop (time injected, never slept):
/// a bare Git remote, the mock broker and a folder backup; the drill report is committed to status/.
/// </summary>
public sealed class DrillLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int PerPartition = 40;
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly string _prefix = "drill-" + Guid.NewGuid().ToString("N")[..8] + "-";

    public DrillLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, PerPartition);
        // The mock broker cannot create topics: the scratch topic exists before the drill, as an operator would make it.
        _kafka.Broker.CreateTopic(_prefix + "orders", Partitions);
    }

    public void Dispose() => _remote.Dispose();

    private string DrillYaml(string schedule) => _orders.DrillYaml("daily", _prefix, _kafka.Broker.BootstrapServers, schedule);

    private static readonly ResourceId Id = new(ResourceKinds.KafkaRestoreDrill, "kafka-backup", "daily");

    private long[] ScratchEnds() => RestoreKit.EndOffsets(_kafka.Broker.BootstrapServers, _prefix + "orders", Partitions);

    private string StatusFile() => _remote.RemoteGit("show", "main:status/kafkarestoredrill/kafka-backup/daily.yaml");

    [Fact]
    public async Task A_scheduled_drill_waits_for_its_time_runs_once_for_missed_times_and_commits_its_report()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));
        _remote.HumanCommit("add a daily drill", new Dictionary<string, string?> { ["drills/daily.yaml"] = DrillYaml("0 3 * * *") });
        var tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(10) };
        await using var daemon = new LoopDaemon(LoopDaemon.Options(_remote), time: time,
            runners: [new KafkaRestoreRunner { Tuning = tuning }, new KafkaRestoreDrillRunner { Tuning = tuning }]);

        // Recorded, not run: its first time is tomorrow 03:00, and a waiting drill does not keep the loop busy.
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var waiting = daemon.Store.Find(Id)!;
        Assert.Equal(ResourcePhase.Pending, waiting.Phase);
        var ready = Conditions.Find(waiting.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.AwaitingSchedule, ready.Reason);
        Assert.Contains("first run at 2026-12-08T03:00:00Z", ready.Message, StringComparison.Ordinal);
        Assert.All(ScratchEnds(), end => Assert.Equal(0, end));

        // The daemon was "down" over two scheduled times: the drill runs once, not twice.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 9, 5, 0, 0, TimeSpan.Zero));
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var done = daemon.Store.Find(Id)!;
        Assert.Equal(ResourcePhase.Completed, done.Phase);
        Assert.All(ScratchEnds(), end => Assert.Equal(PerPartition, end));
        var report = Assert.Single(Assert.IsType<KafkaRestoreDrillStatus>(done.Status).LastRuns);
        Assert.Equal(("Passed", "DrillPassed", "backup-1", Partitions * PerPartition, 0L, true, true),
            (report.Result, report.Reason, report.BackupId, report.RecordsVerified, report.Mismatches, report.RtoMet, report.RpoMet));
        var file = StatusFile();
        Assert.Contains("phase: Completed", file, StringComparison.Ordinal);
        Assert.Contains("nextRun: 2026-12-10T03:00:00", file, StringComparison.Ordinal);
        Assert.Contains("recordsVerified: 120", file, StringComparison.Ordinal);
        Assert.Contains("mismatches: 0", file, StringComparison.Ordinal);
        Assert.Contains("rtoMet: true", file, StringComparison.Ordinal);
        Assert.Contains("restoreSeconds: ", file, StringComparison.Ordinal);

        // Nothing is due until the next time: no second run.
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.All(ScratchEnds(), end => Assert.Equal(PerPartition, end));

        // The next time comes: a second run, appended to the report (newest first).
        time.SetUtcNow(new DateTimeOffset(2026, 12, 10, 3, 0, 1, TimeSpan.Zero));
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.All(ScratchEnds(), end => Assert.Equal(2 * PerPartition, end));
        var runs = Assert.IsType<KafkaRestoreDrillStatus>(daemon.Store.Find(Id)!.Status).LastRuns;
        Assert.Equal(2, runs.Count);
        Assert.True(runs[0].StartTime > runs[1].StartTime);
        Assert.Equal(2, StatusFile().Split("- startTime:").Length - 1);

        // git log of the status folder reads as the drill's history.
        var log = _remote.RemoteGit("log", "--format=%s", "main", "--", "status/kafkarestoredrill/").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(log, s => s.Contains("kafka-backup/daily", StringComparison.Ordinal) && s.Contains("drill Passed: 120 records verified", StringComparison.Ordinal));
        Assert.True(log.Length >= 3, string.Join("\n", log));
    }
}
