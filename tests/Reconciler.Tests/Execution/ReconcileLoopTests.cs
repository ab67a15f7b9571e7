using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Tests.Reliability;
using KafkaRestored.Reconciler.Tests.Status;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The reconciler end to end on real parts: a bare Git remote, the hosted Kafka-protocol broker, a filesystem backup, the real restore engine.</summary>
public sealed class ReconcileLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int RecordsPerPartition = 50;
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly string _backups;

    public ReconcileLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, RecordsPerPartition);
        _backups = _orders.Directory;
    }

    public void Dispose() => _remote.Dispose();

    private ReconcilerOptions Options() => LoopDaemon.Options(_remote);

    private string RestoreYaml(string name, string target, string extra = "", string annotations = "", string? bootstrap = null) =>
        _orders.RestoreYaml(name, target, bootstrap ?? _kafka.Broker.BootstrapServers, extra, annotations);

    private string[] StatusLog() =>
        _remote.RemoteGit("log", "--format=%s", "main", "--", "status/").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_pushed_restore_runs_in_one_reconcile_and_git_log_tells_its_story()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r1.yaml"] = RestoreYaml("r1", target) });
        await using var daemon = new LoopDaemon(Options());

        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        Assert.Equal(ResourcePhase.Completed, daemon.Record("r1").Phase);
        Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count);
        var log = StatusLog();
        Assert.Matches(@"^kafka-backup/r1: Running -> Completed \(150 records, \d+s\)$", log[0]);
        Assert.Contains(log, s => s.StartsWith("kafka-backup/r1: Pending (new)", StringComparison.Ordinal) || s.StartsWith("kafka-backup/r1: Running (new)", StringComparison.Ordinal));
        var file = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r1.yaml");
        Assert.Contains("phase: Completed", file);
        Assert.Contains("restoredRecords: 150", file);
        Assert.Contains("reason: RestoreCompleted", file);
        StatusPublisherTests.AssertOnlyFastForwards(_remote);
    }

    [Fact]
    public async Task A_runner_that_throws_fails_only_its_resource_and_the_status_carries_no_url_credentials()
    {
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/boom.yaml"] = RestoreYaml("boom", "unused") });
        await using var daemon = new LoopDaemon(Options(), runners: [new ThrowingRunner("fetching https://svc-user:hunter2-token@backups.example/x broke")]);

        await daemon.Loop.RunUntilIdleAsync(CancellationToken.None);

        var record = daemon.Record("boom");
        Assert.Equal(ResourcePhase.Failed, record.Phase);
        var ready = Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.UnexpectedError, ready.Reason);
        Assert.Contains("InvalidOperationException: fetching https://backups.example/x broke", ready.Message, StringComparison.Ordinal);
        var file = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/boom.yaml");
        Assert.Contains("reason: UnexpectedError", file);
        Assert.DoesNotContain("hunter2-token", file, StringComparison.Ordinal);
    }

    /// <summary>A runner with a bug: it throws instead of returning an outcome.</summary>
    private sealed class ThrowingRunner(string message) : IResourceRunner
    {
        public string Kind => ResourceKinds.KafkaRestore;

        public Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException(message);
    }

    [Fact]
    public async Task An_invalid_resource_fails_with_file_line_column_and_a_valid_one_in_the_same_commit_still_runs()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        _remote.HumanCommit("add two restores", new Dictionary<string, string?>
        {
            ["restores/good.yaml"] = RestoreYaml("good", target),
            ["restores/bad.yaml"] = RestoreYaml("bad", target, extra: "\n  topicz: [x]"),
        });
        await using var daemon = new LoopDaemon(Options());

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        Assert.Equal(ResourcePhase.Completed, daemon.Record("good").Phase);
        var bad = daemon.Record("bad");
        Assert.Equal(ResourcePhase.Failed, bad.Phase);
        var ready = Conditions.Find(bad.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.InvalidSpec, ready.Reason);
        Assert.Matches(@"restores/bad\.yaml:\d+:\d+: error: UnknownField", ready.Message);
        var file = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/bad.yaml");
        Assert.Contains("reason: InvalidSpec", file);
        Assert.Contains("restores/bad.yaml:", file);
    }

    [Fact]
    public async Task An_edit_after_completion_is_not_re_run_and_the_rerun_annotation_runs_it_again()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        var append = "\n  onExistingData: append";
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target, append) });
        await using var daemon = new LoopDaemon(Options());
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        _remote.HumanCommit("edit restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target, append + "\n  includeOriginalOffsetHeader: true") });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var kept = daemon.Record("r");
        Assert.Equal(1, kept.Generation);
        Assert.Equal(ResourcePhase.Completed, kept.Phase);
        var drift = Conditions.Find(kept.Status.Conditions, ConditionTypes.SpecApplied)!;
        Assert.Equal(ConditionReasons.ImmutableAfterCompletion, drift.Reason);
        Assert.Contains(ObjectMeta.RerunAnnotation, drift.Message);
        Assert.Contains("ImmutableAfterCompletion", _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r.yaml"));
        Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count);

        _remote.HumanCommit("rerun restore", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = RestoreYaml("r", target, append + "\n  includeOriginalOffsetHeader: true", annotations: "\n  annotations:\n    kafka.oso.sh/rerun: \"2024-12-02\""),
        });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var rerun = daemon.Record("r");
        Assert.Equal(2, rerun.Generation);
        Assert.Equal(ResourcePhase.Completed, rerun.Phase);
        Assert.Null(Conditions.Find(rerun.Status.Conditions, ConditionTypes.SpecApplied));
        Assert.Equal(2 * Partitions * RecordsPerPartition, RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count);
    }

    [Fact]
    public async Task Deleting_a_YAML_removes_its_status_file_in_a_commit_that_says_so_and_keeps_a_tombstone()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target) });
        await using var daemon = new LoopDaemon(Options());
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        _remote.HumanCommit("remove restore", new Dictionary<string, string?> { ["restores/r.yaml"] = null });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        Assert.Equal("kafka-backup/r: Completed -> deleted, status removed", StatusLog()[0]);
        Assert.Equal("", _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Trim());
        var record = daemon.Record("r");
        Assert.True(record.Tombstone);
        Assert.Equal(DeletionOutcome.Deleted, record.Deletion);
    }

    [Fact]
    public async Task With_ten_thousand_resource_files_a_cycle_without_change_parses_nothing_and_commits_nothing()
    {
        // 10,000 valid KafkaRestores. With one worker, the first one started waits on topic creation,
        // which the mock broker never answers (a restore in progress), so the planner starts none
        // of the other 9,999: they stay Pending, waiting for a worker, and nothing finishes meanwhile.
        var files = new Dictionary<string, string?>();
        for (var i = 0; i < 10_000; i++)
            files[$"restores/team{i % 50}/r-{i}.yaml"] = RestoreYaml($"r-{i}", $"absent-{i}");
        _remote.HumanCommit("a big config repo", files);
        var options = Options();
        options.MaxConcurrentRestores = 1;
        await using var daemon = new LoopDaemon(options, tuning: RestoreTuning.Default with { TopicCreationTimeout = TimeSpan.FromMinutes(10) });

        var first = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(10_000, daemon.Loop.BlobsParsed);
        Assert.Equal(10_000, first.Actions.Count(a => a.Kind == PlanActionKind.Create));
        Assert.Single(first.Actions, a => a.Kind == PlanActionKind.Start);
        Assert.Equal(10_000, daemon.Store.Resources().Count);
        Assert.Equal(1, daemon.Loop.Counters.StatusCommits);
        Assert.Equal(10_000, _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var head = _remote.RemoteGit("rev-parse", "main").Trim();
        var processed = daemon.Store.LastProcessedCommit;
        // Two cycles without a change: the first may carry the running restore's first progress
        // report (throttled, not committed); neither reads a blob or writes a commit.
        for (var cycle = 0; cycle < 2; cycle++)
        {
            await daemon.Loop.RunCycleAsync(CancellationToken.None);
            Assert.Equal(10_000, daemon.Loop.BlobsParsed);
            Assert.Equal(10_000, daemon.Loop.Counters.BlobsParsed);
            Assert.Equal(1, daemon.Loop.Counters.StatusCommits);
            Assert.Equal(head, _remote.RemoteGit("rev-parse", "main").Trim());
            Assert.Equal(processed, daemon.Store.LastProcessedCommit);
        }
        Assert.Single(daemon.Loop.InFlight);

        // A human commit changing one file re-parses that file only and publishes that resource's new generation.
        _remote.HumanCommit("edit one", new Dictionary<string, string?> { ["restores/team3/r-3.yaml"] = RestoreYaml("r-3", "absent-3-renamed") });
        var after = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.False(after.Skipped);
        Assert.Equal(10_001, daemon.Loop.BlobsParsed);
        var changed = Assert.Single(after.Actions, a => a.Kind is not (PlanActionKind.Unchanged or PlanActionKind.Wait));
        Assert.Equal(PlanActionKind.NewGeneration, changed.Kind);
        Assert.Equal("r-3", changed.Id.Name);
        Assert.Equal(2, daemon.Loop.Counters.StatusCommits);
        Assert.Equal("status/kafkarestore/kafka-backup/r-3.yaml", _remote.RemoteGit("show", "--name-only", "--format=", "main").Trim());
    }

    private const string Unreachable = "127.0.0.1:1";

    [Fact]
    public async Task Deleting_a_running_restore_cancels_it_and_removes_its_status_in_a_commit_that_says_so()
    {
        _remote.HumanCommit("add restore", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = RestoreYaml("r", "t", "\n  job:\n    backoffLimit: 5", bootstrap: Unreachable),
        });
        await using var daemon = new LoopDaemon(Options(), connectTimeout: TimeSpan.FromSeconds(3));
        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(ResourcePhase.Running, daemon.Record("r").Phase);

        _remote.HumanCommit("cancel restore", new Dictionary<string, string?> { ["restores/r.yaml"] = null });
        var report = await daemon.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Contains(report.Actions, a => a.Kind == KafkaRestored.Reconciler.Planning.PlanActionKind.Cancel);
        Assert.Empty(daemon.Loop.InFlight);
        var record = daemon.Record("r");
        Assert.True(record.Tombstone);
        Assert.Equal(DeletionOutcome.Cancelled, record.Deletion);
        Assert.Equal(ConditionReasons.Cancelled, Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!.Reason);
        Assert.Equal("kafka-backup/r: Running -> cancelled, status removed", StatusLog()[0]);
        Assert.Equal("", _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Trim());
    }

    [Fact]
    public async Task Failed_attempts_are_retried_up_to_backoffLimit_then_the_restore_fails()
    {
        _remote.HumanCommit("add restore", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = RestoreYaml("r", "t", "\n  job:\n    backoffLimit: 1", bootstrap: Unreachable),
        });
        await using var daemon = new LoopDaemon(Options(), connectTimeout: TimeSpan.FromSeconds(1));

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = daemon.Record("r");
        Assert.Equal(ResourcePhase.Failed, record.Phase);
        Assert.Equal(2, record.Attempts);
        var ready = Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal("ClusterUnreachable", ready.Reason);
        Assert.Contains("job.backoffLimit=1 reached", ready.Message);
        Assert.StartsWith("kafka-backup/r: Running -> Failed (ClusterUnreachable", StatusLog()[0]);
    }

    [Fact]
    public async Task An_attempt_longer_than_activeDeadlineSeconds_fails_with_DeadlineExceeded()
    {
        _remote.HumanCommit("add restore", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = RestoreYaml("r", "t", "\n  job:\n    backoffLimit: 3\n    activeDeadlineSeconds: 1", bootstrap: Unreachable),
        });
        await using var daemon = new LoopDaemon(Options(), connectTimeout: TimeSpan.FromSeconds(3));

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = daemon.Record("r");
        Assert.Equal(ResourcePhase.Failed, record.Phase);
        Assert.Equal(1, record.Attempts);
        Assert.Equal(ConditionReasons.DeadlineExceeded, Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!.Reason);
    }

    [Fact]
    public async Task A_restore_running_when_the_daemon_stops_resumes_on_the_next_start_and_completes_exactly_once()
    {
        const int PerPartition = 50_000;
        var big = _remote.Scratch("big-backups");
        var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < Partitions; p++)
            records[("orders", p)] = [.. Enumerable.Range(0, PerPartition).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", $"order-{p}-{i}"))];
        await RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(big), "backup-1", records, new Dictionary<string, int> { ["orders"] = Partitions });
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        // The 8 MiB memory floor and slowed brokers bound the restore's speed on any machine (about 10,000 records a
        // round trip), so the first daemon is still part-way when it sees its first records land and stops.
        var budget = "\n  resources:\n    limits: {memory: 8Mi}";
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target, budget).Replace(_backups, big, StringComparison.Ordinal) });
        var options = Options();

        long written;
        _kafka.Broker.SetRtt(FaultRig.SlowRttMs);
        try
        {
            await using var first = new LoopDaemon(options);
            await first.Loop.RunCycleAsync(CancellationToken.None);
            Assert.Equal(ResourcePhase.Running, first.Record("r").Phase);
            // Stop as soon as the first daemon has written records: otherwise the second one would not resume, just start.
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka.Broker.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline && await RestoreKit.LandedAsync(admin, target, Partitions) == 0)
                await Task.Delay(5);
        }
        finally
        {
            _kafka.Broker.SetRtt(0);
        }
        written = RestoreKit.EndOffsets(_kafka.Broker.BootstrapServers, target, Partitions).Sum();
        Assert.True(written > 0, "the first daemon wrote nothing before it stopped: nothing to resume");
        Assert.True(written < Partitions * PerPartition, $"the first daemon finished the whole restore ({written} records) before it stopped: nothing to resume");
        await using var second = new LoopDaemon(options);
        Assert.True(await second.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = second.Record("r");
        Assert.Equal(ResourcePhase.Completed, record.Phase);
        Assert.Equal(1, record.Generation);
        Assert.Equal(Partitions * PerPartition, RestoreKit.EndOffsets(_kafka.Broker.BootstrapServers, target, Partitions).Sum());
    }
}
