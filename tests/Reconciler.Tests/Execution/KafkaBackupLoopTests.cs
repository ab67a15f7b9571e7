using System.Text;
using Confluent.Kafka;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #24, KafkaBackup through the reconcile loop on real parts (bare Git remote, mock broker, folder store) with the
/// time injected: one backup per slot of a one-minute schedule that the segment reader decodes record for record,
/// retention over this resource's own backups only, a missed schedule run once, suspend, and the status history in git log.
/// </summary>
public sealed class KafkaBackupLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 10, 0, 30, TimeSpan.Zero);
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _store;
    private readonly string _topic;
    private readonly Dictionary<int, List<string>> _produced = [];

    public KafkaBackupLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _store = _remote.Scratch("backups");
        _topic = _kafka.Broker.CreateUniqueTopic("orders", Partitions);
    }

    public void Dispose() => _remote.Dispose();

    internal static string BackupYaml(string name, string bootstrap, string topic, string store, string extra = "") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata:
          name: {name}
          namespace: kafka-backup
        spec:
          kafkaCluster:
            bootstrapServers: [{string.Join(", ", bootstrap.Split(',').Select(b => $"\"{b}\""))}]
          topics: [{topic}]
          storage:
            storageType: filesystem
            filesystem:
              path: {store}
          segmentMaxBytes: 4096
          schedule: "* * * * *"{extra}
        """;

    private void Commit(string message, string yaml) =>
        _remote.HumanCommit(message, new Dictionary<string, string?> { ["backups/nightly.yaml"] = yaml });

    private string Yaml(string extra = "") => BackupYaml("nightly", _kafka.Broker.BootstrapServers, _topic, _store, extra);

    private static ResourceId Id => new(ResourceKinds.KafkaBackup, "kafka-backup", "nightly");

    /// <summary>Produces <paramref name="count"/> more records per partition with kcat, the independent client.</summary>
    private void Produce(int count) => Produce(_kafka.Broker.BootstrapServers, _topic, Partitions, _produced, count);

    /// <summary>Produces <paramref name="count"/> more records to each partition of <paramref name="topic"/> with kcat, noting their values in <paramref name="produced"/> (partition → values in order).</summary>
    internal static void Produce(string bootstrap, string topic, int partitions, Dictionary<int, List<string>> produced, int count)
    {
        for (var p = 0; p < partitions; p++)
        {
            if (!produced.TryGetValue(p, out var list)) produced[p] = list = [];
            var batch = Enumerable.Range(list.Count, count).Select(i => ($"k{i}", $"order-{p}-{i}")).ToList();
            Kcat.Produce(bootstrap, topic, p, batch);
            list.AddRange(batch.Select(b => b.Item2));
        }
    }

    /// <summary>Advances the clock to <paramref name="at"/> and runs cycles until the run of that slot has ended.</summary>
    private static async Task<ResourceRecord> RunSlotAsync(LoopDaemon daemon, FakeTimeProvider time, DateTimeOffset at)
    {
        time.SetUtcNow(at);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            await daemon.Loop.RunCycleAsync(CancellationToken.None);
            var rec = daemon.Store.Find(Id)!;
            if (daemon.Loop.InFlight.Count == 0 && rec.Phase is ResourcePhase.Completed or ResourcePhase.Failed
                && rec.Status is KafkaBackupStatus { LastScheduleTime: { } slot } && slot <= at && at - slot < TimeSpan.FromMinutes(1))
                return rec;
            await Task.Delay(20);
        }
        throw new TimeoutException($"the run due at {at:u} did not end");
    }

    /// <summary>
    /// Every record of the backup as partition → values in offset order, decoded by the tests' own reader
    /// (<see cref="IndependentKbak"/>: the manifest as plain JSON, the segments by a Python decoder written from
    /// docs/backup-format.md), not the product's.
    /// </summary>
    internal static Task<Dictionary<int, List<string>>> DecodeAsync(string store, string backupId)
    {
        var backup = IndependentKbak.Read(store, backupId);
        Assert.Single(backup.Keys.Select(k => k.Topic).Distinct());
        var result = new Dictionary<int, List<string>>();
        foreach (var ((_, partition), records) in backup)
        {
            Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset));
            result[partition] = [.. records.Select(r => Encoding.UTF8.GetString(r.Value!))];
        }
        return Task.FromResult(result);
    }

    private List<string> BackupFolders() =>
        [.. Directory.GetDirectories(_store).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal)];

    private List<string> StatusSubjects() =>
        [.. _remote.RemoteGit("log", "--reverse", "--format=%s", "main", "--", "status/kafkabackup/kafka-backup/nightly.yaml")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    [Fact]
    public async Task A_one_minute_schedule_writes_one_decodable_backup_per_slot_and_retention_keeps_the_newest_two()
    {
        Produce(40);
        Commit("add nightly backup", Yaml("\n  retention: {enabled: true, keepLast: 2}"));
        await using var daemon = new LoopDaemon(LoopDaemon.Options(_remote), time: _time);

        // Recorded, but no run before its first slot (as a CronJob); nothing written.
        var idle = await daemon.Loop.RunUntilIdleAsync(CancellationToken.None);
        var waiting = daemon.Store.Find(Id)!;
        Assert.True(idle, StatusJson.Serialize(waiting.Status) + daemon.Loop.Counters.LastError);
        Assert.Equal(ResourcePhase.Pending, waiting.Phase);
        Assert.Equal(ConditionReasons.AwaitingSchedule, Conditions.Find(waiting.Status.Conditions, ConditionTypes.Ready)!.Reason);
        Assert.Empty(BackupFolders());

        var ids = new List<string>();
        for (var minute = 1; minute <= 3; minute++)
        {
            var rec = await RunSlotAsync(daemon, _time, Start.AddSeconds(30).AddMinutes(minute - 1).AddSeconds(2));
            var status = Assert.IsType<KafkaBackupStatus>(rec.Status);
            Assert.Equal(ResourcePhase.Completed, rec.Phase);
            var last = status.LastBackup!;
            Assert.Equal($"nightly-20261207-10{minute:00}00", last.BackupId);
            ids.Add(last.BackupId);
            // The backup holds every record produced before the slot, exactly once and in order, as the segment reader decodes it.
            var decoded = await DecodeAsync(_store, last.BackupId);
            Assert.Equal(_produced.Keys.Order(), decoded.Keys.Order());
            foreach (var (p, values) in _produced) Assert.Equal(values, decoded[p]);
            Assert.Equal(_produced.Values.Sum(v => v.Count), last.Records);
            Assert.Equal(Enumerable.Range(0, Partitions).Select(p => (long)_produced[p].Count), last.HighWatermarks.Select(h => h.HighWatermark));
            Assert.Equal(Start.AddSeconds(30).AddMinutes(minute), status.NextScheduleTime);
            Produce(10);
        }

        // keepLast 2: the first backup went, the newest two stay; the status and the commit say which.
        Assert.Equal(ids[1..], BackupFolders());
        var final = Assert.IsType<KafkaBackupStatus>(daemon.Store.Find(Id)!.Status);
        Assert.Equal([ids[0]], final.LastRetention!.Deleted);
        Assert.Equal(ids[1..], final.LastRetention.Kept);
        var subjects = StatusSubjects();
        Assert.Contains(subjects, s => s.Contains($"Running -> Completed (backup {ids[2]}, 180 records, retention deleted {ids[0]}", StringComparison.Ordinal));
        Assert.Equal(3, subjects.Count(s => s.Contains("-> Completed (backup nightly-", StringComparison.Ordinal)));
        // Each run's start names the backup it writes.
        Assert.Equal(ids.Select(id => $"kafka-backup/nightly: {(id == ids[0] ? "Pending" : "Completed")} -> Running (backup {id} scheduled)"),
            subjects.Where(s => s.Contains("-> Running", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Slots_missed_while_the_daemon_was_down_run_once_and_suspend_stops_new_runs()
    {
        Produce(5);
        Commit("add nightly backup", Yaml());
        var options = LoopDaemon.Options(_remote);
        await using (var first = new LoopDaemon(options, time: _time))
        {
            await first.Loop.RunCycleAsync(CancellationToken.None);
            await RunSlotAsync(first, _time, Start.AddSeconds(31));
        }
        Assert.Equal(["nightly-20261207-100100"], BackupFolders());

        // Down for ten slots: the next start runs the latest once, not ten times.
        await using var second = new LoopDaemon(options, time: _time);
        var caughtUp = await RunSlotAsync(second, _time, Start.AddMinutes(10).AddSeconds(45));
        Assert.Equal(["nightly-20261207-100100", "nightly-20261207-101100"], BackupFolders());
        Assert.Equal(new DateTimeOffset(2026, 12, 7, 10, 11, 0, TimeSpan.Zero), ((KafkaBackupStatus)caughtUp.Status).LastScheduleTime);
        await second.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Empty(second.Loop.InFlight);
        Assert.Equal(2, BackupFolders().Count);

        // Suspended: the next slots pass without a run.
        Commit("suspend", Yaml("\n  suspend: true"));
        _time.SetUtcNow(Start.AddMinutes(13));
        await second.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Empty(second.Loop.InFlight);
        var held = second.Store.Find(Id)!;
        Assert.Equal(ConditionReasons.Suspended, Conditions.Find(held.Status.Conditions, ConditionTypes.Ready)!.Reason);
        Assert.Equal(2, BackupFolders().Count);

        // Positive control: unsuspended, the slot due runs (once).
        Commit("unsuspend", Yaml());
        await RunSlotAsync(second, _time, Start.AddMinutes(13).AddSeconds(1));
        Assert.Equal(["nightly-20261207-100100", "nightly-20261207-101100", "nightly-20261207-101300"], BackupFolders());
    }

    [Fact]
    public async Task A_backup_interrupted_by_a_daemon_stop_restarts_its_slot_with_nothing_lost_or_doubled()
    {
        const int PerPartition = 3_000;
        var value = new string('v', 1_000);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _kafka.Broker.BootstrapServers, LingerMs = 5 })
                   .SetLogHandler((_, _) => { }).Build())
        {
            for (var p = 0; p < Partitions; p++)
            {
                var list = _produced[p] = [];
                for (var i = 0; i < PerPartition; i++)
                {
                    var v = $"{p}-{i}-{value}";
                    producer.Produce(new TopicPartition(_topic, p), new Message<string, string> { Key = $"k{i}", Value = v });
                    list.Add(v);
                }
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }
        Commit("add nightly backup", Yaml("\n  compression: none").Replace("segmentMaxBytes: 4096", "segmentMaxBytes: 65536", StringComparison.Ordinal));
        var options = LoopDaemon.Options(_remote);
        const string BackupId = "nightly-20261207-100100";
        var folder = Path.Combine(_store, BackupId);

        // Slowed brokers bound the backup's speed on any machine (each fetch round trip brings at most 2 MiB of a
        // partition's ~3 MiB), so the first daemon is still part-way when its first segment is stored and it stops.
        _kafka.Broker.SetRtt(1_000);
        try
        {
            await using var first = new LoopDaemon(options, time: _time);
            await first.Loop.RunCycleAsync(CancellationToken.None);
            _time.SetUtcNow(Start.AddSeconds(31));
            await first.Loop.RunCycleAsync(CancellationToken.None);
            Assert.Contains(new ResourceId(ResourceKinds.KafkaBackup, "kafka-backup", "nightly"), first.Loop.InFlight);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline && !(Directory.Exists(folder) && Directory.EnumerateFiles(folder, "segment-*", SearchOption.AllDirectories).Any()))
                await Task.Delay(5);
        }
        finally
        {
            _kafka.Broker.SetRtt(0);
        }
        var left = Directory.EnumerateFiles(folder, "segment-*", SearchOption.AllDirectories).Count();
        Assert.True(left > 0, "the first daemon stored no segment before it stopped: nothing to restart");
        Assert.False(File.Exists(Path.Combine(folder, "manifest.json")), "the first daemon finished the backup before it stopped: nothing to restart");
        using (var store = StateStore.Open(options.StateDirectory)) Assert.Equal(ResourcePhase.Running, store.Find(Id)!.Phase);

        await using var second = new LoopDaemon(options, time: _time);
        var done = await RunSlotAsync(second, _time, Start.AddSeconds(32));

        Assert.Equal(ResourcePhase.Completed, done.Phase);
        var last = ((KafkaBackupStatus)done.Status).LastBackup!;
        Assert.Equal((BackupId, true), (last.BackupId, last.RestartedIncomplete));
        var decoded = await DecodeAsync(_store, BackupId);
        Assert.Equal(_produced.Keys.Order(), decoded.Keys.Order());
        foreach (var (p, values) in _produced) Assert.Equal(values, decoded[p]);
        Assert.Equal(Partitions * PerPartition, last.Records);
        Assert.Equal([BackupId], BackupFolders());
        var file = _remote.RemoteGit("show", "main:status/kafkabackup/kafka-backup/nightly.yaml");
        Assert.Contains($"backupId: {BackupId}", file, StringComparison.Ordinal);
        Assert.Contains("restartedIncomplete: true", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_to_a_folder_the_policy_does_not_allow_fails_PolicyDenied_before_anything_is_written()
    {
        Produce(5);
        var outside = _remote.Scratch("not-allowed");
        Commit("add nightly backup", BackupYaml("nightly", _kafka.Broker.BootstrapServers, _topic, outside));
        var options = LoopDaemon.Options(_remote);
        options.Policy = new Dictionary<string, Restore.Resources.Policy.PolicyEntry>
        {
            ["kafka-backup"] = new() { Clusters = ["*"], Folders = [_store] },
        };
        await using var daemon = new LoopDaemon(options, time: _time);

        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        _time.SetUtcNow(Start.AddMinutes(5));
        await daemon.Loop.RunCycleAsync(CancellationToken.None);

        var denied = daemon.Store.Find(Id)!;
        Assert.Equal(ResourcePhase.Failed, denied.Phase);
        var ready = Conditions.Find(denied.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.PolicyDenied, ready.Reason);
        Assert.True(ready.Message.Contains($"backups/nightly.yaml:13:13: error: PolicyDenied: namespace kafka-backup may not use folder {outside}", StringComparison.Ordinal), ready.Message);
        Assert.Empty(daemon.Loop.InFlight);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));

        // Positive control: the allowed folder is backed up under the same policy.
        Commit("back up where allowed", Yaml());
        await RunSlotAsync(daemon, _time, Start.AddMinutes(6));
        Assert.Equal(["nightly-20261207-100600"], BackupFolders());
    }
}
