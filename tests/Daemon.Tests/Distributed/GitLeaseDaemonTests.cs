using System.Diagnostics;
using System.Text;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>
/// Two real daemons (<c>kafka-restored run</c>) without coordination on one config repository (a bare Git repo with a
/// reflog), each on its own state directory: the Git lease lets one act and keeps the other passive. A restore runs once;
/// a SIGKILLed holder is replaced after the lease duration (not before), a SIGTERMed one at once (it releases), and a
/// SIGSTOPped one that wakes after the takeover pushes nothing, its lease commits included.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GitLeaseDaemonTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private const string Namespace = "kafka-backup";
    private const int Partitions = 2;
    private const int PerPartition = 50;
    private const string LeaseRef = "refs/kafka-restored/lease";
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-lease");

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    private static Dictionary<string, string?> Settings(TimeSpan duration, bool lease = true) => new()
    {
        ["KAFKA_RESTORED_LeaseDuration"] = duration.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ["KAFKA_RESTORED_Lease"] = lease ? "true" : "false",
    };

    private CommittedStatus Committed => new(_remote, Namespace);

    private string StatusPath(string name) => Committed.PathOf(name);

    private string? Phase(string name) => Committed.Phase(name);

    private string AddRestore(OrdersBackup orders, string name)
    {
        var target = kafka.Broker.CreateUniqueTopic("lease-" + name, Partitions);
        _remote.HumanCommit("add " + name, new Dictionary<string, string?> { [$"restores/{name}.yaml"] = orders.RestoreYaml(name, target, kafka.Broker.BootstrapServers, ns: Namespace) });
        return target;
    }

    private Task WaitForPhaseAsync(DaemonGroup group, string name, string phase) => Committed.WaitForPhaseAsync(name, phase, Patience, group.Output);

    /// <summary>Every record of the backup exactly once, in order, per partition (the full sequence compared).</summary>
    private void AssertRestoredOnce(string target) => CommittedStatus.AssertRestoredOnce(kafka.Broker.BootstrapServers, target, Partitions, PerPartition);

    private int CompletedCommits(string name) => Committed.CompletedCommits(name);

    /// <summary>The Instance trailers of the status commits in <paramref name="range"/>.</summary>
    private string[] Instances(string range) =>
        _remote.RemoteGit("log", "--format=%(trailers:key=Instance,valueonly,separator=)", range)
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The instance ids of the lease commits in <paramref name="range"/>, newest first.</summary>
    private string[] LeaseHolders(string range) =>
        [.. _remote.RemoteGit("log", "--format=%(trailers:key=Holder,valueonly,separator=)", range)
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(h => h.Split(' ')[0])];

    private string HolderOf(string commit) =>
        _remote.RemoteGit("log", "-1", "--format=%(trailers:key=Holder,valueonly,separator=)", commit).Trim().Split(' ')[0];

    private string LeaseTip() => _remote.RemoteGit("rev-parse", LeaseRef).Trim();

    private static async Task<string?> RoleAsync(DaemonGroup group, string id) =>
        await group.Members[id].HealthAsync() is { } h && h.Body.TryGetProperty("role", out var r) ? r.GetString() : null;

    /// <summary>
    /// Every update of the remote's lease ref (its reflog) starts where the previous ended and moves it forward, and the
    /// reflog ends at the ref's tip. The holder is alive and renews every third of the duration: a renewal landing while the
    /// reflog is read moves the tip past it, so the tip is read before and after, and the comparison is only made on a quiet
    /// read (a lease commit is never repeated, so an unchanged tip means nothing landed in between).
    /// </summary>
    private int AssertLeaseFastForwardOnly()
    {
        for (var attempt = 1; ; attempt++)
        {
            var before = LeaseTip();
            var (last, updates) = _remote.FastForwardOnlyUpdates(LeaseRef);
            var after = LeaseTip();
            if (before == after || attempt == 5)
            {
                Assert.Equal(after, last);
                return updates;
            }
            log.WriteLine($"a renewal landed while the reflog was read ({before[..8]} -> {after[..8]}); reading it again");
        }
    }

    [Fact]
    public async Task Two_daemons_without_coordination_on_one_repo_run_one_restore_once_and_the_second_says_why_it_stays_passive()
    {
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, PerPartition);
        using var group = new DaemonGroup(_remote, _dir, Settings(Duration), "node-a", "node-b");
        var holder = await group.LeaderAsync(Patience);
        var passive = group.Members.Keys.Single(k => k != holder);

        var target = AddRestore(orders, "r1");
        await WaitForPhaseAsync(group, "r1", "Completed");
        // Past two lease durations more: the holder's renewals keep the other passive all along.
        await Task.Delay(Duration * 2);

        AssertRestoredOnce(target);
        Assert.Equal(1, CompletedCommits("r1"));
        Assert.All(Instances(_remote.Branch), i => Assert.Equal(holder, i));
        var quiet = group.Members[passive].Output;
        Assert.Matches($@"Another daemon holds the lease {LeaseRef} on {System.Text.RegularExpressions.Regex.Escape(_remote.BarePath)}: {holder} [0-9a-f]{{8}}, renewed \d+ s ago; " +
            @"staying passive until it is gone \(or set CoordinationBootstrapServers to run several daemons as one\)", quiet);
        Assert.DoesNotContain("Start KafkaRestore", quiet, StringComparison.Ordinal);
        Assert.DoesNotContain("Pushed status commit", quiet, StringComparison.Ordinal);
        Assert.Contains("Start KafkaRestore kafka-backup/r1", group.Members[holder].Output, StringComparison.Ordinal);
        Assert.Equal("member", await RoleAsync(group, passive));
        Assert.Equal(1, await group.Members[holder].MetricAsync("kafka_restored_leadership_changes_total"));
        var renewals = LeaseHolders(LeaseRef);
        Assert.All(renewals, h => Assert.Equal(holder, h));
        log.WriteLine($"{holder} held the lease with {renewals.Length} commits; {passive} stayed passive");
        AssertLeaseFastForwardOnly();
    }

    /// <summary>The positive control of the test above: with Lease off, both daemons act on the same restore.</summary>
    [Fact]
    public async Task Without_the_lease_both_daemons_start_the_same_restore()
    {
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, PerPartition);
        using var group = new DaemonGroup(_remote, _dir, Settings(TimeSpan.FromSeconds(120), lease: false), "node-a", "node-b");
        foreach (var d in group.Members.Values) await d.WaitForAsync("the endpoint", async () => await d.HealthAsync() is not null, Patience);

        AddRestore(orders, "r1");
        foreach (var (id, d) in group.Members)
            await d.WaitForAsync($"{id} to start r1", () => Task.FromResult(d.Output.Contains("Start KafkaRestore kafka-backup/r1", StringComparison.Ordinal)), Patience);

        Assert.All(group.Members.Values, d => Assert.DoesNotContain("Another daemon holds the lease", d.Output, StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(_remote.BarePath, "refs", "kafka-restored", "lease")), "a lease ref was pushed with Lease off");
    }

    [Fact]
    public async Task A_SIGKILLed_holder_is_replaced_no_sooner_than_the_lease_duration_after_its_last_renewal_and_the_new_holder_reconciles()
    {
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, PerPartition);
        using var group = new DaemonGroup(_remote, _dir, Settings(Duration), "node-a", "node-b");
        var holder = await group.LeaderAsync(Patience);
        var other = group.Members.Keys.Single(k => k != holder);
        AddRestore(orders, "r1");
        await WaitForPhaseAsync(group, "r1", "Completed");

        using var watch = new RefWatch(Path.Combine(_remote.BarePath, "refs", "kafka-restored", "lease"));
        // The watch's first value is whatever was there when it started: wait for a renewal it saw land.
        await group.Members[holder].WaitForAsync("a renewal", () => Task.FromResult(watch.Changes.Count >= 2), Patience);
        group.Members[holder].Process.Kill();
        var killedAt = watch.Now;
        await group.LeaderAsync(Patience, not: holder);
        var changes = watch.Changes.Select(c => (c.At, c.Sha, Holder: HolderOf(c.Sha))).ToList();
        // A push under way at the kill may land after it (its git child lives on): the last renewal is the holder's last commit.
        var lastRenewal = changes.Skip(1).Last(c => c.Holder == holder);
        var takeover = changes.First(c => c.Holder == other);
        var waited = takeover.At - lastRenewal.At;
        log.WriteLine($"last renewal seen {(killedAt - lastRenewal.At).TotalSeconds:0.00} s before the SIGKILL; takeover {waited.TotalSeconds:0.00} s after it " +
            $"({(takeover.At - killedAt).TotalSeconds:0.00} s after the kill), lease duration {Duration.TotalSeconds} s");
        // Not early: the observer counts from when it first saw the tip, which is after it landed (the watch's 10 ms
        // polling can see the landing up to a poll late).
        Assert.True(waited >= Duration - TimeSpan.FromMilliseconds(50), $"taken over {waited} after the last renewal, before the lease duration {Duration}");
        // Nor much later: within one look (a third of the duration, or the 1 s poll) and a push.
        Assert.True(waited < Duration + (Duration / 3) + TimeSpan.FromSeconds(5), $"taken over only {waited} after the last renewal");

        var second = AddRestore(orders, "r2");
        await WaitForPhaseAsync(group, "r2", "Completed");
        AssertRestoredOnce(second);
        Assert.Equal(1, CompletedCommits("r1"));
        Assert.Equal(1, CompletedCommits("r2"));
        Assert.Equal(other, Instances(_remote.Branch).First());
        Assert.Contains("Took over 1 resources from the status another leader committed: KafkaRestore kafka-backup/r1 (Completed)", group.Members[other].Output, StringComparison.Ordinal);
        AssertLeaseFastForwardOnly();
    }

    [Fact]
    public async Task A_SIGTERMed_holder_releases_the_lease_and_the_other_takes_over_well_before_the_lease_duration()
    {
        var duration = TimeSpan.FromSeconds(30);
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, PerPartition);
        using var group = new DaemonGroup(_remote, _dir, Settings(duration), "node-a", "node-b");
        var holder = await group.LeaderAsync(Patience);
        var other = group.Members.Keys.Single(k => k != holder);

        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(0, group.Members[holder].Stop());
        var stopped = stopwatch.Elapsed;
        await group.LeaderAsync(Patience, not: holder);
        var handedOver = stopwatch.Elapsed;
        log.WriteLine($"{holder} stopped in {stopped.TotalSeconds:0.00} s; {other} holds the lease {handedOver.TotalSeconds:0.00} s after the SIGTERM (lease duration {duration.TotalSeconds} s)");

        Assert.Contains($"Released the lease {LeaseRef}", group.Members[holder].Output, StringComparison.Ordinal);
        var holders = _remote.RemoteGit("log", "--format=%(trailers:key=Lease-Duration,valueonly,separator=)", LeaseRef)
            .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("0", holders[1]);
        Assert.Equal(other, LeaseHolders(LeaseRef).First());
        Assert.True(handedOver < duration / 3, $"the handover took {handedOver}, not well before the lease duration {duration}");

        var target = AddRestore(orders, "r1");
        await WaitForPhaseAsync(group, "r1", "Completed");
        AssertRestoredOnce(target);
        Assert.All(Instances(_remote.Branch), i => Assert.Equal(other, i));
        AssertLeaseFastForwardOnly();
    }

    [Fact]
    public async Task A_SIGSTOPped_holder_that_wakes_after_the_takeover_pushes_no_status_and_no_lease_commit()
    {
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, PerPartition);
        using var group = new DaemonGroup(_remote, _dir, Settings(Duration), "node-a", "node-b");
        var old = await group.LeaderAsync(Patience);
        var other = group.Members.Keys.Single(k => k != old);
        AddRestore(orders, "r1");
        await WaitForPhaseAsync(group, "r1", "Completed");
        // Positive control: the holder pushes status and renews while it holds the lease.
        Assert.Contains(old, Instances(_remote.Branch));

        var stopped = group.Members[old].Process;
        var tipAtStop = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();
        var outputAtStop = stopped.Output.Length;
        SteppedProcess.Stop(stopped.Id);
        string takeover;
        try
        {
            await group.Members[other].WaitForAsync($"{other} to hold the lease", async () => await RoleAsync(group, other) == "leader", Patience);
            takeover = LeaseTip();
            var second = AddRestore(orders, "r2");
            await WaitForPhaseAsync(group, "r2", "Completed");
            AssertRestoredOnce(second);
        }
        finally
        {
            SteppedProcess.Continue(stopped.Id);
        }
        await group.Members[old].WaitForAsync($"{old} to say it is passive", async () => await RoleAsync(group, old) == "member", Patience);
        var third = AddRestore(orders, "r3");
        await WaitForPhaseAsync(group, "r3", "Completed");
        AssertRestoredOnce(third);
        // A few renewal periods more, for a late push of the woken daemon to show.
        await Task.Delay(Duration);

        var since = Instances($"{tipAtStop}..{_remote.Branch}");
        Assert.NotEmpty(since);
        Assert.All(since, i => Assert.Equal(other, i));
        var woke = stopped.Output[outputAtStop..];
        log.WriteLine($"==== {old} after SIGCONT\n{woke}");
        Assert.Contains($"Instance {old} does not hold the lease {LeaseRef} any more", woke, StringComparison.Ordinal);
        Assert.DoesNotContain("Pushed status commit", woke, StringComparison.Ordinal);
        Assert.DoesNotContain("Start KafkaRestore", woke, StringComparison.Ordinal);
        Assert.DoesNotContain(old, LeaseHolders($"{takeover}^..{LeaseRef}"));
        Assert.Equal(1, CompletedCommits("r2"));
        Assert.Equal(1, CompletedCommits("r3"));
        log.WriteLine($"lease ref: {AssertLeaseFastForwardOnly()} updates, all fast-forward");
    }

    /// <summary>
    /// The README's "start one resource over": stop the daemon, <c>forget</c> the resource, start it again. The lease it takes
    /// back is its own (released), so its store stays authoritative and the resource runs as new. The control: a daemon on
    /// another state directory takes the lease from it, so it takes the committed status over and runs nothing.
    /// </summary>
    [Fact]
    public async Task Forget_still_starts_a_resource_over_when_the_daemon_takes_back_its_own_released_lease()
    {
        _remote.HumanCommit("add an invalid restore", new Dictionary<string, string?>
        {
            ["restores/bad.yaml"] = $"apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n  name: bad\n  namespace: {Namespace}\nspec:\n  backupId: b\n",
        });
        int StatusCommits() => _remote.RemoteGit("log", "--format=%s", _remote.Branch, "--", StatusPath("bad")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        const string Planned = "MarkInvalid KafkaRestore kafka-backup/bad";
        using var group = new DaemonGroup(_remote, _dir, Settings(Duration), "node-a");
        await WaitForPhaseAsync(group, "bad", "Failed");
        Assert.Equal(0, group.Members["node-a"].Stop());
        Assert.Equal(1, StatusCommits());

        var forget = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "forget", $"{Namespace}/bad", "--kind", "KafkaRestore", "--state-dir", _dir.Combine("state-node-a")]);
        Assert.True(forget.ExitCode == 0, forget.StdOut + forget.StdErr);
        var again = group.Start("node-a");
        await again.WaitForAsync("bad planned again and committed", () => Task.FromResult(again.Output.Contains(Planned, StringComparison.Ordinal) && StatusCommits() == 2), Patience);
        Assert.DoesNotContain("Took over", again.Output, StringComparison.Ordinal);
        Assert.Equal(0, again.Stop());

        // The control: another daemon takes node-a's released lease, takes the committed status over, and plans nothing for it.
        var other = group.Start("node-b");
        await other.WaitForAsync("the takeover", () => Task.FromResult(other.Output.Contains("Took over 1 resources", StringComparison.Ordinal)), Patience);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.DoesNotContain(Planned, other.Output, StringComparison.Ordinal);
        Assert.Equal(2, StatusCommits());
    }

    /// <summary>Polls a loose ref file every 10 ms and records each value it takes, with the time it was first seen.</summary>
    private sealed class RefWatch : IDisposable
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(TimeSpan At, string Sha)> _changes = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;

        public RefWatch(string file)
        {
            _thread = new Thread(() =>
            {
                var last = "";
                while (!_stop.IsCancellationRequested)
                {
                    string sha;
                    try
                    {
                        sha = File.ReadAllText(file).Trim();
                    }
                    catch (IOException)
                    {
                        sha = "";
                    }
                    if (sha.Length == 40 && sha != last)
                    {
                        last = sha;
                        lock (_changes) _changes.Add((_clock.Elapsed, sha));
                    }
                    Thread.Sleep(10);
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public TimeSpan Now => _clock.Elapsed;

        public List<(TimeSpan At, string Sha)> Changes
        {
            get
            {
                lock (_changes) return [.. _changes];
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _thread.Join();
            _stop.Dispose();
        }
    }
}
