using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Tests.Status;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Git misbehaving under the reconcile loop (issue 10, Git faults): humans pushing while the loop
/// pushes status, and a branch rewritten by a force push. Real bare remote, real broker, real restores.
/// KAFKA_RESTORED_FULL_RELIABILITY=1 runs the full counts.
/// </summary>
public sealed class GitFaultTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 2;
    private const int RecordsPerPartition = 40;
    private static bool Full => ReliabilityCounts.Full;
    private readonly KafkaFixture _kafka;
    private readonly ITestOutputHelper _output;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly ListLogger _log = new();

    public GitFaultTests(KafkaFixture kafka, ITestOutputHelper output)
    {
        _kafka = kafka;
        _output = output;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, RecordsPerPartition);
    }

    public void Dispose() => _remote.Dispose();

    private ReconcilerOptions Options() => new()
    {
        RepositoryUrl = _remote.BarePath,
        Branch = _remote.Branch,
        StateDirectory = _remote.Scratch("state"),
        PollInterval = TimeSpan.FromMilliseconds(100),
        PushRetryDelay = TimeSpan.FromMilliseconds(20),
        // Many humans racing: more attempts per publish than the default, the next cycle retries anyway.
        PushAttempts = 10,
        RetryBaseDelay = TimeSpan.FromMilliseconds(100),
        Policy = TestPolicy.AllowAll(),
    };

    private string RestoreYaml(string name, string target) => _orders.RestoreYaml(name, target, _kafka.Broker.BootstrapServers);

    private sealed class Daemon : IAsyncDisposable
    {
        public Daemon(ReconcilerOptions options, ILogger logger)
        {
            Store = StateStore.Open(options.StateDirectory);
            Git = new GitSource(options, logger);
            Loop = ReconcileLoop.Create(options, Store, Git,
                [new KafkaRestoreRunner { Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(20) } }],
                logger: logger);
        }

        public StateStore Store { get; }

        public GitSource Git { get; }

        public ReconcileLoop Loop { get; }

        public ResourceRecord? Record(string name) => Store.Find(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", name));

        public async ValueTask DisposeAsync()
        {
            await Loop.DisposeAsync();
            Git.Dispose();
            Store.Dispose();
        }
    }

    [Fact]
    public async Task Human_commits_racing_status_pushes_are_all_kept_without_a_force_push_and_status_ends_correct()
    {
        var humanCommits = Full ? 50 : 12;
        var restores = Full ? 10 : 3;
        var every = humanCommits / restores;
        await using var daemon = new Daemon(Options(), _log);
        using var stop = new CancellationTokenSource();
        var loop = Task.Run(() => daemon.Loop.RunAsync(stop.Token));

        var targets = new Dictionary<string, string>();
        var rejectedHumanPushes = 0;
        for (var i = 0; i < humanCommits; i++)
        {
            var files = new Dictionary<string, string?> { ["notes/journal.md"] = $"entry {i}\n", [$"notes/n{i}.md"] = $"note {i}\n" };
            if (i % every == 0 && targets.Count < restores)
            {
                var name = $"race-{targets.Count}";
                targets[name] = _kafka.Broker.CreateUniqueTopic("race", Partitions);
                files[$"restores/{name}.yaml"] = RestoreYaml(name, targets[name]);
            }
            rejectedHumanPushes += CommitAndPushLikeAHuman($"human {i}", files);
        }

        // Every restore ends Completed in the store and in its status file on the remote.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(Full ? 10 : 4);
        while (!targets.Keys.All(n => StatusOnRemote(n)?.Contains("phase: Completed", StringComparison.Ordinal) == true))
        {
            Assert.False(loop.IsCompleted, "the reconcile loop stopped");
            Assert.True(DateTime.UtcNow < deadline, $"restores not all Completed on the remote in time; loop errors: {daemon.Loop.Counters.LastError} / {daemon.Loop.Counters.LastPushError}");
            await Task.Delay(200);
        }
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // RunAsync ends by throwing when cancelled while it waits for the next poll.
        }

        var subjects = _remote.RemoteGit("log", "--format=%s", _remote.Branch).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < humanCommits; i++) Assert.Equal(1, subjects.Count(s => s == $"human {i}"));
        for (var i = 0; i < humanCommits; i++) Assert.Equal($"note {i}\n", _remote.RemoteGit("show", $"{_remote.Branch}:notes/n{i}.md"));
        StatusPublisherTests.AssertOnlyFastForwards(_remote);
        foreach (var (name, target) in targets)
        {
            var record = daemon.Record(name)!;
            Assert.Equal((ResourcePhase.Completed, 1L, 1), (record.Phase, record.Generation, record.Attempts));
            var status = StatusOnRemote(name)!;
            Assert.Contains($"restoredRecords: {Partitions * RecordsPerPartition}", status, StringComparison.Ordinal);
            Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count);
        }
        var statusCommits = subjects.Count(s => !s.StartsWith("human ", StringComparison.Ordinal) && s != "initial commit");
        _output.WriteLine($"human commits {humanCommits}, all {humanCommits} on the remote; human pushes rejected and retried {rejectedHumanPushes}; " +
            $"daemon status commits {statusCommits}, daemon pushes rejected and rebuilt {RejectedDaemonPushes()}; restores {restores} Completed once each; reflog fast-forwards only");
    }

    [Fact]
    public async Task A_force_pushed_branch_is_detected_and_reported_and_completed_work_is_not_re_run()
    {
        var target = _kafka.Broker.CreateUniqueTopic("forced", Partitions);
        var added = _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target) });
        await using var daemon = new Daemon(Options(), _log);
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var before = daemon.Record("r")!;
        Assert.Equal(ResourcePhase.Completed, before.Phase);
        Assert.Equal(0, daemon.Loop.Counters.ForcePushes);
        var rewrites = Full ? 5 : 2;
        var human = _remote.HumanPath;
        for (var k = 1; k <= rewrites; k++)
        {
            // Rewrite history under the daemon: drop its status commits, amend the last human commit
            // (the first time: the one that added the resource; same spec, new commit id), force-push.
            var tipBefore = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();
            GitRemote.Git(human, "fetch", "-q", "origin");
            GitRemote.Git(human, "reset", "-q", "--hard", k == 1 ? added : GitRemote.Git(human, "log", "-1", "--format=%H", "--author=Pat", "origin/" + _remote.Branch).Trim());
            GitRemote.Git(human, "commit", "-q", "--amend", "-m", $"rewrite {k}");
            GitRemote.Git(human, "push", "-q", "--force", "origin", _remote.Branch);
            var rewritten = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();
            Assert.Equal("", _remote.RemoteGit("ls-tree", "-r", "--name-only", _remote.Branch, "status/").Trim());

            Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

            Assert.Equal(k, daemon.Loop.Counters.ForcePushes);
            Assert.Contains("branch 'main' rewritten", daemon.Loop.Counters.LastForcePush, StringComparison.Ordinal);
            Assert.Contains(_log.Lines, l => l.Contains("was force-pushed", StringComparison.Ordinal) && l.Contains(tipBefore[..12], StringComparison.Ordinal)
                && l.Contains(rewritten[..12], StringComparison.Ordinal));
            var after = daemon.Record("r")!;
            Assert.Equal((ResourcePhase.Completed, before.Generation, before.Attempts, before.Status.StartTime), (after.Phase, after.Generation, after.Attempts, after.Status.StartTime));
            Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count);
            // The status file the rewrite dropped is committed again on top of the rewritten history.
            Assert.Contains("phase: Completed", StatusOnRemote("r"), StringComparison.Ordinal);
            Assert.Equal(rewritten, _remote.RemoteGit("rev-parse", _remote.Branch + "~1").Trim());

            // Later cycles on the rewritten branch find nothing new to report.
            await daemon.Loop.RunCycleAsync(CancellationToken.None);
            Assert.Equal(k, daemon.Loop.Counters.ForcePushes);
        }
        _output.WriteLine($"force pushes {rewrites}: detected {daemon.Loop.Counters.ForcePushes}/{rewrites}, status file re-committed after each, " +
            $"restore generation {before.Generation}, attempts {before.Attempts}, records in target {Partitions * RecordsPerPartition} (never re-run)");
    }

    [Fact]
    public async Task A_branch_deleted_on_the_remote_fails_the_cycle_with_BranchNotFound_instead_of_serving_the_stale_tip()
    {
        var target = _kafka.Broker.CreateUniqueTopic("deleted-branch", Partitions);
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target) });
        await using var daemon = new Daemon(Options(), _log);
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var kept = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();

        _remote.RemoteGit("update-ref", "-d", "refs/heads/" + _remote.Branch);
        var report = await daemon.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Null(report.Commit);
        Assert.Contains("does not exist", report.Error, StringComparison.Ordinal);
        Assert.Equal(1, daemon.Loop.Counters.FetchErrors);
        Assert.False(daemon.Record("r")!.Tombstone);

        // The branch comes back: the loop picks up where it was, nothing re-runs.
        _remote.RemoteGit("update-ref", "refs/heads/" + _remote.Branch, kept);
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Equal((ResourcePhase.Completed, 1), (daemon.Record("r")!.Phase, daemon.Record("r")!.Attempts));
        Assert.Equal(0, daemon.Loop.Counters.ForcePushes);
    }

    private string? StatusOnRemote(string name)
    {
        var run = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:status/kafkarestore/kafka-backup/{name}.yaml"], _remote.BarePath);
        return run.ExitCode == 0 ? run.StdOut : null;
    }

    private int RejectedDaemonPushes() => _log.Lines.Count(l => l.Contains("was refused", StringComparison.Ordinal));

    /// <summary>Commits once in the human clone, then pulls with rebase and pushes until the push is accepted. Returns the rejections.</summary>
    private int CommitAndPushLikeAHuman(string message, Dictionary<string, string?> files)
    {
        var human = _remote.HumanPath;
        foreach (var (rel, content) in files)
        {
            var full = Path.Combine(human, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        GitRemote.Git(human, "add", "-A");
        GitRemote.Git(human, "commit", "-q", "-m", message);
        for (var rejected = 0; ; rejected++)
        {
            GitRemote.Git(human, "pull", "-q", "--rebase", "origin", _remote.Branch);
            var push = ProcessRunner.Run("git", ["push", "-q", "origin", _remote.Branch], human);
            if (push.ExitCode == 0) return rejected;
            Assert.True(rejected < 100, $"the human's push was rejected 100 times: {push.StdErr}");
        }
    }
}
