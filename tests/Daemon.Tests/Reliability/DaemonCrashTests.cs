using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue 10 "Crash": the real daemon (<c>kafka-restored run</c>) restoring a multi-partition backup
/// from a folder into the hosted broker, with its config repo a bare Git repository, is SIGKILLed
/// again and again (at shares of the records landed, while its <c>git push</c> child runs, right
/// after the remote's ref moved, in the first seconds of a start) and restarted each time. At the end: Completed once, every record
/// exactly once in order, a status history that only moves forward, no force push, and a state
/// store that opens. <c>KAFKA_RESTORED_FULL_RELIABILITY=1</c> runs 20 kills instead of 5.
/// </summary>
public sealed partial class DaemonCrashTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private const string Namespace = "crash";
    private const string Name = "crash-restore";
    private const string StatusPath = $"status/kafkarestore/{Namespace}/{Name}.yaml";

    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-crash");

    private static bool Full => ReliabilityCounts.Full;

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    /// <summary>How a kill instant is chosen once the records landed passed the kill's threshold.</summary>
    private enum KillTrigger
    {
        /// <summary>At once.</summary>
        Landed,

        /// <summary>While the daemon's <c>git push</c> child process runs.</summary>
        DuringPush,

        /// <summary>Right after the remote's branch moved (the daemon has not yet recorded its push).</summary>
        AfterRefMoved,

        /// <summary>A random instant in the first two seconds after start (host start, clone, state store, preflight), whatever landed.</summary>
        Startup,
    }

    [Fact]
    public async Task The_daemon_killed_at_random_instants_mid_restore_resumes_and_completes_exactly_once()
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
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        var resourceCommit = _remote.HumanCommit("restore the crash topic", new Dictionary<string, string?>
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
        var plan = Enumerable.Range(0, kills).Select(i => i == 0
            ? (Threshold: 0L, Trigger: KillTrigger.DuringPush)
            : (Threshold: (long)(total * (i + random.NextDouble() * 0.8) / (kills + 1)), Trigger: (KillTrigger)((i - 1) % 4))).ToList();

        var figures = new Figures();
        var logs = new StringBuilder();
        var completed = false;
        for (var run = 0; run < kills + 10 && !completed; run++)
        {
            using var daemon = StartDaemon(_remote.BarePath, state);
            if (run < plan.Count)
            {
                var (threshold, trigger) = plan[run];
                // A plain kill waits for this daemon to write some records itself, so that not every kill of a
                // run whose threshold already passed lands on the restart's first push.
                if (trigger == KillTrigger.Landed) threshold = Math.Max(threshold, Landed() + random.Next(1, perPartition / 2));
                var outcome = trigger == KillTrigger.Startup
                    ? KillAtStartup(daemon, TimeSpan.FromMilliseconds(random.Next(0, 2000)))
                    : await KillAsync(daemon, threshold, total / (kills + 1), trigger, Landed);
                logs.Append(daemon.Output);
                if (outcome is { } how)
                {
                    figures.Kills++;
                    var landed = Landed();
                    if (landed > 0 && landed < total) figures.MidRestore++;
                    if (how.DuringPush) figures.DuringPush++;
                    if (how.AfterRefMoved) figures.AfterRefMoved++;
                    if (trigger == KillTrigger.Startup) figures.AtStartup++;
                    log.WriteLine($"kill {figures.Kills} ({trigger}" + (trigger == KillTrigger.Startup ? "" : $", threshold {threshold}") + $"): {landed} of {total} records landed" +
                        (how.DuringPush ? ", git push child running" : "") + (how.AfterRefMoved ? ", remote ref had just moved" : ""));
                    continue;
                }
                log.WriteLine($"run {run}: the restore completed before the {trigger} kill at {threshold} records");
            }
            completed = await WaitForCompletedAsync(daemon, TimeSpan.FromMinutes(4));
            var exitCode = daemon.Stop(TimeSpan.FromSeconds(60));
            logs.Append(daemon.Output);
            Assert.True(completed, $"the restore did not complete after {figures.Kills} kills\n{StatusLog()}\n{Tail(logs)}");
            Assert.Equal(0, exitCode);
        }
        Assert.True(completed, "the restore never completed");
        // What the daemons logged above information level across all starts (Microsoft.Extensions.Logging's simple console: "warn:", "fail:", "crit:").
        var complaints = logs.ToString().Split('\n').Where(l => l.Contains("warn:", StringComparison.Ordinal) || l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)).ToList();
        log.WriteLine($"daemon warnings and errors over all starts: {complaints.Count} (of {logs.ToString().Split('\n').Length} log lines)");
        foreach (var line in complaints.Take(40)) log.WriteLine("  " + line);

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

        AssertStatusHistoryIsCoherent(total);
        AssertNoForcePushAndNoLostCommit(resourceCommit);

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

        // The last kills may find the restore already done (a push trigger waits up to a share of records more).
        Assert.True(figures.Kills >= kills * 3 / 4, $"only {figures.Kills} of {kills} kills happened");
        // Some kills fall before the first record or after the last one (still mid-run: verification, the Completed push).
        Assert.True(figures.MidRestore >= kills / 3, $"only {figures.MidRestore} of {figures.Kills} kills landed with part of the records written");
        Assert.True(figures.DuringPush >= 1, "no kill hit a status push");
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

    private sealed record Kill(bool DuringPush, bool AfterRefMoved);

    /// <summary>SIGKILLs the daemon <paramref name="after"/> its start. Null when it exited first.</summary>
    private static Kill? KillAtStartup(DaemonProcess daemon, TimeSpan after)
    {
        Thread.Sleep(after);
        if (daemon.HasExited) return null;
        var orphans = GitChildren(daemon.Id);
        daemon.Kill();
        foreach (var pid in orphans) WaitGone(pid);
        return new Kill(orphans.Count > 0, false);
    }

    /// <summary>
    /// Waits until <paramref name="threshold"/> records landed, then for the trigger, then SIGKILLs the
    /// daemon (not its children: the remote is another machine's business). A push trigger that has
    /// not come by the time <paramref name="overshoot"/> more records landed gives way to a plain kill,
    /// so that the kills stay spread over the restore. Null when the daemon exited or the restore completed first.
    /// </summary>
    private async Task<Kill?> KillAsync(DaemonProcess daemon, long threshold, long overshoot, KillTrigger trigger, Func<long> landed)
    {
        var guard = Stopwatch.StartNew();
        while (threshold > 0 && landed() < threshold)
        {
            if (daemon.HasExited || RemotePhase() == "Completed" || guard.Elapsed > TimeSpan.FromMinutes(3)) return null;
            await Task.Delay(5);
        }
        var duringPush = false;
        var afterRefMoved = false;
        var refBefore = RemoteRef();
        var lastLook = guard.ElapsedMilliseconds;
        while (true)
        {
            if (daemon.HasExited || guard.Elapsed > TimeSpan.FromMinutes(3)) return null;
            if (trigger == KillTrigger.Landed) break;
            if (trigger == KillTrigger.DuringPush && GitChildren(daemon.Id).Count > 0)
            {
                duringPush = true;
                break;
            }
            if (trigger == KillTrigger.AfterRefMoved && RemoteRef() != refBefore)
            {
                afterRefMoved = true;
                break;
            }
            // Pushes are short: look often, and only now and then ask Git whether it is all over.
            if (guard.ElapsedMilliseconds - lastLook > 250)
            {
                if (RemotePhase() == "Completed") return null;
                if (landed() >= threshold + overshoot) break;
                lastLook = guard.ElapsedMilliseconds;
            }
            Thread.Sleep(1);
        }
        var orphans = GitChildren(daemon.Id);
        daemon.Kill();
        // A push the daemon started goes on without it, as on a real remote; let it end before the next start.
        foreach (var pid in orphans) WaitGone(pid);
        return new Kill(duringPush, afterRefMoved);
    }

    private async Task<bool> WaitForCompletedAsync(DaemonProcess daemon, TimeSpan timeout)
    {
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < timeout && !daemon.HasExited)
        {
            if (RemotePhase() == "Completed") return true;
            await Task.Delay(200);
        }
        return RemotePhase() == "Completed";
    }

    /// <summary>Phase of the status file on the remote branch, or null.</summary>
    private string? RemotePhase()
    {
        var show = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:{StatusPath}"], _remote.BarePath);
        return show.ExitCode == 0 ? Field(show.StdOut, PhaseLine()) : null;
    }

    /// <summary>The remote branch's commit, read from the ref file (cheap enough to poll every millisecond).</summary>
    private string RemoteRef()
    {
        try
        {
            return File.ReadAllText(Path.Combine(_remote.BarePath, "refs", "heads", _remote.Branch)).Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Child processes of <paramref name="pid"/> named git.</summary>
    private static List<int> GitChildren(int pid)
    {
        var result = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string children;
                try
                {
                    children = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (IOException)
                {
                    continue;
                }
                foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        if (File.ReadAllText($"/proc/{child}/comm").Trim() == "git") result.Add(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        return result;
    }

    private static void WaitGone(int pid)
    {
        var guard = Stopwatch.StartNew();
        while (guard.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                // Gone, or a zombie waiting for its new parent to reap it.
                if (File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z')) return;
            }
            catch (IOException)
            {
                return;
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>
    /// Every version of the status file on the remote, oldest first: the phase only moves forward
    /// (Pending, Running, Completed), one generation, attempts never go down, progress never goes
    /// back, exactly one commit reaches Completed, with every record.
    /// </summary>
    private void AssertStatusHistoryIsCoherent(long total)
    {
        var commits = _remote.RemoteGit("log", "--reverse", "--first-parent", "--format=%H %s", _remote.Branch, "--", StatusPath)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(commits.Length >= 2, StatusLog());
        string[] order = ["Pending", "Running", "Completed"];
        var lastRank = -1;
        var lastAttempts = 0L;
        var lastDone = -1L;
        var completions = 0;
        var history = new StringBuilder();
        foreach (var line in commits)
        {
            var sha = line[..40];
            var text = _remote.RemoteGit("show", $"{sha}:{StatusPath}");
            var phase = Field(text, PhaseLine());
            var rank = Array.IndexOf(order, phase);
            var attempts = long.Parse(Field(text, AttemptsLine()) ?? "0", CultureInfo.InvariantCulture);
            var done = Field(text, RecordsDoneLine()) is { } d ? long.Parse(d, CultureInfo.InvariantCulture) : -1;
            history.AppendLine(CultureInfo.InvariantCulture, $"{line} [phase {phase}, attempts {attempts}, recordsDone {done}]");
            Assert.True(rank >= 0, $"unexpected phase {phase} in {sha}:\n{text}");
            Assert.True(rank >= lastRank, $"status went backwards (to {phase}):\n{history}");
            Assert.True(attempts >= lastAttempts, $"attempts went down:\n{history}");
            Assert.Equal("1", Field(text, GenerationLine()));
            if (phase == "Running" && done >= 0)
            {
                Assert.True(done >= lastDone, $"progress went backwards:\n{history}");
                lastDone = done;
            }
            if (phase == "Completed" && lastRank < 2)
            {
                completions++;
                Assert.Equal(total.ToString(CultureInfo.InvariantCulture), Field(text, RestoredRecordsLine()));
            }
            lastRank = rank;
            lastAttempts = attempts;
        }
        log.WriteLine($"status history ({commits.Length} commits):\n{history}");
        Assert.Equal(1, completions);
        Assert.Equal(2, lastRank);
        // A kill is no failed attempt: every start resumed attempt 1, backoffLimit untouched.
        Assert.Equal(1, lastAttempts);
    }

    /// <summary>
    /// The bare remote's reflog of the branch: each update starts where the previous ended and is a
    /// fast-forward (no force push), and every commit the branch ever pointed at, the human's among
    /// them, is in the final history (no lost commit).
    /// </summary>
    private void AssertNoForcePushAndNoLostCommit(string humanCommit)
    {
        var reflog = File.ReadAllLines(Path.Combine(_remote.BarePath, "logs", "refs", "heads", _remote.Branch));
        var tip = RemoteRef();
        var previous = "";
        foreach (var entry in reflog)
        {
            var parts = entry.Split(' ');
            var (from, to) = (parts[0], parts[1]);
            if (previous.Length > 0) Assert.Equal(previous, from);
            if (from.Trim('0').Length > 0)
                Assert.True(ProcessRunner.Run("git", ["merge-base", "--is-ancestor", from, to], _remote.BarePath).ExitCode == 0, $"non-fast-forward update {entry}");
            Assert.True(ProcessRunner.Run("git", ["merge-base", "--is-ancestor", to, tip], _remote.BarePath).ExitCode == 0, $"commit {to} lost from the branch");
            previous = to;
        }
        Assert.Equal(tip, previous);
        Assert.True(ProcessRunner.Run("git", ["merge-base", "--is-ancestor", humanCommit, tip], _remote.BarePath).ExitCode == 0, "the human's commit was lost");
        log.WriteLine($"remote reflog: {reflog.Length} updates, all fast-forward");
    }

    private string StatusLog() => ProcessRunner.Run("git", ["log", "--format=%h %s", _remote.Branch], _remote.BarePath).StdOut;

    private static string Tail(StringBuilder logs)
    {
        var text = logs.ToString();
        return text.Length > 12_000 ? text[^12_000..] : text;
    }

    private static string? Field(string text, Regex pattern) => pattern.Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"^  phase: (\w+)", RegexOptions.Multiline)]
    private static partial Regex PhaseLine();

    [GeneratedRegex(@"^  attempts: (\d+)", RegexOptions.Multiline)]
    private static partial Regex AttemptsLine();

    [GeneratedRegex(@"^  observedGeneration: (\d+)", RegexOptions.Multiline)]
    private static partial Regex GenerationLine();

    [GeneratedRegex(@"^  restoredRecords: (\d+)", RegexOptions.Multiline)]
    private static partial Regex RestoredRecordsLine();

    [GeneratedRegex(@"^    recordsDone: (\d+)", RegexOptions.Multiline)]
    private static partial Regex RecordsDoneLine();

    /// <summary><c>kafka-restored run</c> as a child process: polling every second, progress pushed every 250 ms, HTTP off.</summary>
    private static DaemonProcess StartDaemon(string repo, string state) => new(
        ["run", "--repo", repo, "--state-dir", state, "--http-listen", "off"],
        TestPolicy.WithAllowAll(new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_ProgressCommitInterval"] = "00:00:00.250",
            ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
        }));
}
