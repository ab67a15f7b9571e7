using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using KafkaRestored.TestSupport.GitServers;
using Xunit.Abstractions;
using KillTrigger = KafkaRestored.Daemon.Tests.Reliability.DaemonKiller.KillTrigger;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue 10 "Crash": the real daemon (<c>kafka-restored run</c>) restoring a multi-partition backup
/// from a folder into the hosted broker, with its config repo a bare Git repository, is SIGKILLed
/// again and again (at shares of the records landed, while its <c>git push</c> child runs, right
/// after the remote's ref moved, in the first seconds of a start) and restarted each time. At the end: Completed once, every record
/// exactly once in order, a status history that only moves forward, no force push, and a state
/// store that opens. <c>KAFKA_RESTORED_FULL_RELIABILITY=1</c> runs 20 kills instead of 5.
/// </summary>
public sealed class DaemonCrashTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private const string Namespace = "crash";
    private const string Name = "crash-restore";
    private const string StatusPath = $"status/kafkarestore/{Namespace}/{Name}.yaml";

    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-crash");
    private CrashRemote? _status;

    private static bool Full => ReliabilityCounts.Full;

    private CrashRemote Status => _status ??= new CrashRemote(_remote, StatusPath, log);

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public Task The_daemon_killed_at_random_instants_mid_restore_resumes_and_completes_exactly_once() =>
        KillAndRestartAsync(_remote.BarePath, new Dictionary<string, string?>(), pushRunning: null);

    /// <summary>
    /// The same over smart HTTP with TLS (lighttpd + git http-backend, a token): the pushes production makes (libgit2's
    /// network push, not the local-path shortcut), killed while the server takes one, never force-push or lose a commit.
    /// </summary>
    [Git.GitServerFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Over_https_the_daemon_killed_at_random_instants_resumes_completes_once_and_never_forces_a_push()
    {
        using var server = new GitHttpsServer(_remote);
        var settings = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_GitTokenFile"] = server.WriteTokenFile(_dir.Path),
            ["SSL_CERT_FILE"] = server.CaPath,
        };
        var output = await KillAndRestartAsync(server.Url, settings, _ => server.ReceivePackRunning);
        Assert.Contains($"POST /git/{Path.GetFileName(_remote.BarePath)}/git-receive-pack", server.AccessLog, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Token, output, StringComparison.Ordinal);
    }

    /// <summary>The kill-and-restart run against <paramref name="repo"/>, with all its checks; returns what the daemons printed.</summary>
    private async Task<string> KillAndRestartAsync(string repo, Dictionary<string, string?> gitSettings, Func<DaemonProcess, bool>? pushRunning)
    {
        var kills = Full ? 20 : 5;
        // The mock broker keeps about 4 MiB per partition: many partitions of ~250-byte values make
        // a restore that lasts, at the 8Mi/500m floor (one partition worker, a small buffer).
        var partitions = Full ? 32 : 12;
        const int perPartition = 10_000;
        var total = partitions * perPartition;
        var topic = kafka.Broker.CreateUniqueTopic("crash", partitions);
        var backups = _dir.Combine("backups");
        var state = _dir.Combine("state");
        var input = await WriteBackupAsync(backups, topic, partitions, perPartition);
        var resourceCommit = CommitResource(backups);

        using var watcher = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = kafka.Broker.BootstrapServers,
            GroupId = "crash-watch-" + Guid.NewGuid().ToString("N"),
        }).SetLogHandler((_, _) => { }).Build();
        long Landed() => Enumerable.Range(0, partitions)
            .Sum(p => watcher.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);

        // Kill instants differ from run to run; KAFKA_RESTORED_CRASH_SEED replays a run's.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KAFKA_RESTORED_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Random.Shared.Next();
        log.WriteLine($"kill seed {seed} (KAFKA_RESTORED_CRASH_SEED), {kills} kills, {partitions} partitions x {perPartition} records");
        var random = new Random(seed);
        // The first kill hits the first status push (Pending -> Running); the others are spread over
        // the records, a random point in each share, their trigger taking turns (a startup kill ignores its share).
        var plan = PlanKills(kills, total, random);

        var figures = new Figures();
        var logs = new StringBuilder();
        var completed = false;
        for (var run = 0; run < kills + 10 && !completed; run++)
        {
            using var daemon = StartDaemon(repo, state, gitSettings);
            if (run < plan.Count)
            {
                var (threshold, trigger) = plan[run];
                // A plain kill waits for this daemon to write some records itself, so that not every kill of a
                // run whose threshold already passed lands on the restart's first push.
                if (trigger == KillTrigger.Landed) threshold = Math.Max(threshold, Landed() + random.Next(1, perPartition / 2));
                var outcome = trigger == KillTrigger.Startup
                    ? DaemonKiller.KillAtStartup(daemon, TimeSpan.FromMilliseconds(random.Next(0, 2000)))
                    : new DaemonKiller(Status, pushRunning).KillWhen(daemon, threshold, total / (kills + 1), trigger, Landed);
                logs.Append(daemon.Output);
                if (outcome is { } how)
                {
                    CountKill(figures, how, trigger, threshold, Landed(), total);
                    continue;
                }
                log.WriteLine($"run {run}: the restore completed before the {trigger} kill at {threshold} records");
            }
            completed = await WaitForCompletedAsync(daemon, TimeSpan.FromMinutes(4));
            var exitCode = daemon.Stop(TimeSpan.FromSeconds(60));
            logs.Append(daemon.Output);
            Assert.True(completed, $"the restore did not complete after {figures.Kills} kills\n{Status.StatusLog()}\n{Tail(logs)}");
            Assert.Equal(0, exitCode);
        }
        Assert.True(completed, "the restore never completed");
        LogComplaints(logs);

        AssertEveryRecordOnceInOrder(input, topic, partitions, total, figures);

        Status.AssertStatusHistoryIsCoherent(total);
        Status.AssertNoForcePushAndNoLostCommit(resourceCommit);

        AssertStateStoreKnowsItCompleted(state);

        // The last kills may find the restore already done (a push trigger waits up to a share of records more).
        Assert.True(figures.Kills >= kills * 3 / 4, $"only {figures.Kills} of {kills} kills happened");
        // Some kills fall before the first record or after the last one (still mid-run: verification, the Completed push).
        Assert.True(figures.MidRestore >= kills / 3, $"only {figures.MidRestore} of {figures.Kills} kills landed with part of the records written");
        Assert.True(figures.DuringPush >= 1, "no kill hit a status push");
        return logs.ToString();
    }

    private static List<(long Threshold, KillTrigger Trigger)> PlanKills(int kills, long total, Random random) =>
        Enumerable.Range(0, kills).Select(i => i == 0
            ? (Threshold: 0L, Trigger: KillTrigger.DuringPush)
            : (Threshold: (long)(total * (i + random.NextDouble() * 0.8) / (kills + 1)), Trigger: (KillTrigger)((i - 1) % 4))).ToList();

    private void CountKill(Figures figures, DaemonKiller.Kill how, KillTrigger trigger, long threshold, long landed, long total)
    {
        figures.Kills++;
        if (landed > 0 && landed < total) figures.MidRestore++;
        if (how.DuringPush) figures.DuringPush++;
        if (how.AfterRefMoved) figures.AfterRefMoved++;
        if (trigger == KillTrigger.Startup) figures.AtStartup++;
        log.WriteLine($"kill {figures.Kills} ({trigger}" + (trigger == KillTrigger.Startup ? "" : $", threshold {threshold}") + $"): {landed} of {total} records landed" +
            (how.DuringPush ? ", a status push running" : "") + (how.AfterRefMoved ? ", remote ref had just moved" : ""));
    }

    /// <summary>A backup of <paramref name="partitions"/> partitions of <paramref name="perPartition"/> ~250-byte records each, in 2,000-record segments.</summary>
    private static async Task<Dictionary<(string, int), IReadOnlyList<BackupRecord>>> WriteBackupAsync(string backups, string topic, int partitions, int perPartition)
    {
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        var data = new Random(20261124);
        for (var p = 0; p < partitions; p++)
        {
            var filler = new byte[180];
            input[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i =>
            {
                data.NextBytes(filler);
                return RestoreKit.Record(i * 3L + 1, 1_700_000_000_000 + i, $"k{p}-{i}", $"v{p}-{i}-{Convert.ToBase64String(filler)}");
            })];
        }
        await RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(backups), "backup-crash", input,
            new Dictionary<string, int> { [topic] = partitions }, segmentRecords: 2000);
        return input;
    }

    /// <summary>The human's commit of the KafkaRestore: from the backup folder into the hosted broker, at the 8Mi/500m floor.</summary>
    private string CommitResource(string backups)
    {
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        return _remote.HumanCommit("restore the crash topic", new Dictionary<string, string?>
        {
            ["restores/crash.yaml"] = $"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaRestore
                metadata: {"{"}name: {Name}, namespace: {Namespace}{"}"}
                spec:
                  backupId: backup-crash
                  targetCluster:
                    bootstrapServers: [{brokers}]
                  storage:
                    storageType: filesystem
                    filesystem: {"{"}path: "{backups}"{"}"}
                  includeOriginalOffsetHeader: true
                  resources: {"{"}limits: {"{"}cpu: 500m, memory: 8Mi{"}"}{"}"}
                  job: {"{"}backoffLimit: 3{"}"}

                """,
        });
    }

    private void LogComplaints(StringBuilder logs)
    {
        // What the daemons logged above information level across all starts (Microsoft.Extensions.Logging's simple console: "warn:", "fail:", "crit:").
        var complaints = logs.ToString().Split('\n').Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)).ToList();
        log.WriteLine($"daemon warnings and errors over all starts: {complaints.Count} (of {logs.ToString().Split('\n').Length} log lines)");
        foreach (var line in complaints.Take(40)) log.WriteLine("  " + line);
    }

    private void AssertEveryRecordOnceInOrder(Dictionary<(string, int), IReadOnlyList<BackupRecord>> input, string topic, int partitions, int total, Figures figures)
    {
        // Every record exactly once, in order: the full key/value/timestamp/source-offset sequence per partition.
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, partitions);
        for (var p = 0; p < partitions; p++)
        {
            var expected = input[(topic, p)];
            var got = seen.Where(r => r.Partition == p).ToList();
            var keys = got.Select(r => Encoding.UTF8.GetString(r.Key!)).ToList();
            figures.Duplicates += keys.Count - keys.Distinct().Count();
            figures.Lost += expected.Select(r => Encoding.UTF8.GetString(r.Key!)).Except(keys).Count();
            figures.Compared += Math.Min(expected.Count, got.Count);
        }
        log.WriteLine(figures.ToString());
        Assert.Equal(0, figures.Duplicates);
        Assert.Equal(0, figures.Lost);
        Assert.Equal(total, seen.Count);
        for (var p = 0; p < partitions; p++)
        {
            var expected = input[(topic, p)];
            var got = seen.Where(r => r.Partition == p).ToList();
            for (var i = 0; i < expected.Count; i++)
            {
                Assert.Equal(expected[i].Key, got[i].Key);
                Assert.Equal(expected[i].Value, got[i].Value);
                Assert.Equal(expected[i].Timestamp, got[i].Timestamp);
                Assert.Equal(expected[i].Offset, BitConverter.ToInt64(got[i].Headers.Single(h => h.Key == "x-original-offset").Value));
            }
        }
    }

    private void AssertStateStoreKnowsItCompleted(string state)
    {
        // The state store opens (read-write, as the next start would) and knows the restore completed.
        using (var store = StateStore.Open(state))
        {
            var record = store.Find(new ResourceId(ResourceKinds.KafkaRestore, Namespace, Name));
            Assert.NotNull(record);
            Assert.Equal(ResourcePhase.Completed, record.Phase);
        }
        var status = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "status", Name,
            "--repo", _remote.BarePath, "--state-dir", state], timeout: TimeSpan.FromMinutes(1));
        Assert.True(status.ExitCode == 0, status.StdOut + status.StdErr);
        Assert.Contains("Completed", status.StdOut, StringComparison.Ordinal);
    }

    private sealed class Figures
    {
        public int Kills { get; set; }

        public int MidRestore { get; set; }

        public int DuringPush { get; set; }

        public int AfterRefMoved { get; set; }

        public int AtStartup { get; set; }

        public long Compared { get; set; }

        public long Duplicates { get; set; }

        public long Lost { get; set; }

        public override string ToString() =>
            $"kills: {Kills}, with part of the records written: {MidRestore}, during git push: {DuringPush}, right after the remote ref moved: {AfterRefMoved}, in the first 2 s: {AtStartup}, " +
            $"records compared: {Compared}, duplicates: {Duplicates}, lost: {Lost}";
    }

    private async Task<bool> WaitForCompletedAsync(DaemonProcess daemon, TimeSpan timeout)
    {
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < timeout && !daemon.HasExited)
        {
            // A restore that completed before this start is seen at once; the stop that follows must still find
            // the daemon up (its SIGTERM handling is in place once the loop started), not mid-start.
            if (Status.RemotePhase() == "Completed" && daemon.Output.Contains("reconcile loop started", StringComparison.Ordinal)) return true;
            await Task.Delay(200);
        }
        return Status.RemotePhase() == "Completed";
    }

    private static string Tail(StringBuilder logs)
    {
        var text = logs.ToString();
        return text.Length > 12_000 ? text[^12_000..] : text;
    }

    /// <summary><c>kafka-restored run</c> as a child process: polling every second, progress pushed every 250 ms, HTTP off, plus <paramref name="gitSettings"/>.</summary>
    private DaemonProcess StartDaemon(string repo, string state, Dictionary<string, string?> gitSettings) => new(
        ["run", "--repo", repo, "--branch", _remote.Branch, "--state-dir", state, "--http-listen", "off"],
        TestPolicy.WithAllowAll(new Dictionary<string, string?>(gitSettings)
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_ProgressCommitInterval"] = "00:00:00.250",
            ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
        }));
}
