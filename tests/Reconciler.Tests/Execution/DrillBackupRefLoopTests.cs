using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #24, a KafkaRestoreDrill naming its backup by spec.backupRef, through the reconcile loop with the time injected: a
/// KafkaBackup writes on its schedule, and each drill restores and verifies that KafkaBackup's newest completed backup; before
/// any has completed the drill fails BackupRefUnresolved; a reference to another namespace is a validation error.
/// </summary>
public sealed class DrillBackupRefLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 10, 20, 0, TimeSpan.Zero);
    private static readonly ResourceId DrillId = new(ResourceKinds.KafkaRestoreDrill, "kafka-backup", "hourly");
    private static readonly ResourceId BackupId = new(ResourceKinds.KafkaBackup, "kafka-backup", "nightly");
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _store;
    private readonly string _topic;
    private readonly string _scratch;
    private readonly Dictionary<int, List<string>> _produced = [];

    public DrillBackupRefLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _store = _remote.Scratch("backups");
        _topic = _kafka.Broker.CreateUniqueTopic("orders", Partitions);
        // The mock broker cannot create topics: the scratch topic exists before the drill, as an operator would make it.
        _scratch = "drill-" + _topic;
        _kafka.Broker.CreateTopic(_scratch, Partitions);
    }

    public void Dispose() => _remote.Dispose();

    private string DrillYaml(string ns = "kafka-backup", string backupRef = "{name: nightly}") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestoreDrill
        metadata:
          name: hourly
          namespace: {ns}
        spec:
          schedule: "45 * * * *"
          backupRef: {backupRef}
          targetCluster:
            bootstrapServers: [{_kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal)}]
          topicPrefix: drill-
          objectives: {"{"}rto: 1h, rpo: 3650d{"}"}

        """;

    /// <summary>A KafkaBackup at :15 of every hour, so a drill at :45 never starts in the same cycle as a backup.</summary>
    private string BackupYaml() =>
        KafkaBackupLoopTests.BackupYaml("nightly", _kafka.Broker.BootstrapServers, _topic, _store).Replace("\"* * * * *\"", "\"15 * * * *\"", StringComparison.Ordinal);

    private LoopDaemon Daemon()
    {
        var tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(10) };
        return new LoopDaemon(LoopDaemon.Options(_remote), time: _time,
            runners: [new KafkaRestoreRunner { Tuning = tuning }, new KafkaBackupRunner(), new KafkaRestoreDrillRunner { Tuning = tuning }]);
    }

    private void Produce(int count) => KafkaBackupLoopTests.Produce(_kafka.Broker.BootstrapServers, _topic, Partitions, _produced, count);

    /// <summary>Advances the clock to <paramref name="at"/> and runs cycles until nothing runs or waits to.</summary>
    private async Task AtAsync(LoopDaemon daemon, DateTimeOffset at)
    {
        _time.SetUtcNow(at);
        await daemon.Loop.RunUntilIdleAsync(CancellationToken.None);
        Assert.Empty(daemon.Loop.InFlight);
    }

    private DrillRunStatus LastDrill(LoopDaemon daemon) => Assert.IsType<KafkaRestoreDrillStatus>(daemon.Store.Find(DrillId)!.Status).LastRuns[0];

    /// <summary>The scratch topic's values per partition from <paramref name="from"/> (per partition) on, as kcat reads them.</summary>
    private Dictionary<int, List<string>> ScratchFrom(IReadOnlyList<long> from) =>
        Kcat.ReadTopic(_kafka.Broker.BootstrapServers, _scratch).Where(r => r.Offset >= from[r.Partition])
            .GroupBy(r => r.Partition).ToDictionary(g => g.Key, g => g.Select(r => r.Value!).ToList());

    private long[] ScratchEnds() => RestoreKit.EndOffsets(_kafka.Broker.BootstrapServers, _scratch, Partitions);

    [Fact]
    public async Task Each_drill_restores_and_verifies_the_newest_completed_backup_and_one_before_any_fails_BackupRefUnresolved()
    {
        Produce(20);
        _remote.HumanCommit("add a backup and a drill of it", new Dictionary<string, string?>
        {
            ["backups/nightly.yaml"] = BackupYaml(),
            ["drills/hourly.yaml"] = DrillYaml(),
        });
        await using var daemon = Daemon();
        await AtAsync(daemon, Start);

        // 10:45: the drill's time comes before the backup's first slot (11:15): no completed backup yet, nothing written.
        await AtAsync(daemon, Start.AddMinutes(25).AddSeconds(5));
        var early = daemon.Store.Find(DrillId)!;
        Assert.Equal(ResourcePhase.Failed, early.Phase);
        var unresolved = LastDrill(daemon);
        Assert.Equal("BackupRefUnresolved", unresolved.Reason);
        Assert.Contains("KafkaBackup kafka-backup/nightly, which has no completed backup yet", unresolved.Message, StringComparison.Ordinal);
        Assert.All(ScratchEnds(), end => Assert.Equal(0, end));

        // 11:15 the backup runs on its schedule; 11:45 the drill restores exactly that backup's records.
        await AtAsync(daemon, Start.AddMinutes(55).AddSeconds(5));
        Assert.Equal(ResourcePhase.Completed, daemon.Store.Find(BackupId)!.Phase);
        var firstCopy = _produced.ToDictionary(p => p.Key, p => p.Value.ToList());
        Produce(7);
        await AtAsync(daemon, Start.AddMinutes(85).AddSeconds(5));
        var first = LastDrill(daemon);
        Assert.True(first.Result == "Passed", first.Message);
        Assert.Equal(("nightly-20261207-111500", Partitions * 20L, 0L), (first.BackupId, first.RecordsVerified, first.Mismatches));
        Assert.Equal(firstCopy, ScratchFrom([0, 0, 0]));

        // 12:15 a second backup (with the 7 records more per partition); 12:45 the next drill takes that one.
        var before = ScratchEnds();
        await AtAsync(daemon, Start.AddMinutes(115).AddSeconds(5));
        await AtAsync(daemon, Start.AddMinutes(145).AddSeconds(5));
        var second = LastDrill(daemon);
        Assert.True(second.Result == "Passed", second.Message);
        Assert.Equal(("nightly-20261207-121500", Partitions * 27L), (second.BackupId, second.RecordsVerified));
        Assert.Equal(_produced, ScratchFrom(before));
        var file = _remote.RemoteGit("show", "main:status/kafkarestoredrill/kafka-backup/hourly.yaml");
        Assert.Contains("backupId: nightly-20261207-121500", file, StringComparison.Ordinal);
        Assert.Contains("reason: BackupRefUnresolved", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backupRef_to_another_namespace_or_to_no_KafkaBackup_is_a_validation_error_and_nothing_runs()
    {
        Produce(5);
        _remote.HumanCommit("drills that reference backups they may not or that do not exist", new Dictionary<string, string?>
        {
            ["backups/nightly.yaml"] = BackupYaml(),
            ["drills/other-team.yaml"] = DrillYaml(ns: "team-b", backupRef: "{name: nightly, namespace: kafka-backup}"),
            ["drills/hourly.yaml"] = DrillYaml(backupRef: "{name: weekly}"),
        });
        await using var daemon = Daemon();
        await AtAsync(daemon, Start);
        await AtAsync(daemon, Start.AddMinutes(25).AddSeconds(5));

        var crossing = daemon.Store.Find(new ResourceId(ResourceKinds.KafkaRestoreDrill, "team-b", "hourly"))!;
        Assert.Equal(ResourcePhase.Failed, crossing.Phase);
        var crossingReady = Conditions.Find(crossing.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.InvalidSpec, crossingReady.Reason);
        Assert.Contains("drills/other-team.yaml:8:", crossingReady.Message, StringComparison.Ordinal);
        Assert.Contains("CrossNamespaceReference: spec.backupRef.namespace is kafka-backup, but a drill may reference only a KafkaBackup in its own namespace (team-b)", crossingReady.Message, StringComparison.Ordinal);
        var missing = Conditions.Find(daemon.Store.Find(DrillId)!.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.InvalidSpec, missing.Reason);
        Assert.Contains("BackupRefNotFound: spec.backupRef.name names KafkaBackup kafka-backup/weekly, which no resource file defines", missing.Message, StringComparison.Ordinal);
        Assert.All(ScratchEnds(), end => Assert.Equal(0, end));

        // Positive control: the drill naming the KafkaBackup of its own namespace is valid and runs at its time once a backup exists.
        await AtAsync(daemon, Start.AddMinutes(55).AddSeconds(5));
        _remote.HumanCommit("name the backup that exists", new Dictionary<string, string?> { ["drills/hourly.yaml"] = DrillYaml() });
        await AtAsync(daemon, Start.AddMinutes(85).AddSeconds(5));
        var passed = LastDrill(daemon);
        Assert.True(passed.Result == "Passed", passed.Message);
        Assert.Equal(Partitions * 5L, passed.RecordsVerified);
    }
}
