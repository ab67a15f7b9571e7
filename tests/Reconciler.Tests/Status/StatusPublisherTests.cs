using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Status;

public sealed partial class StatusPublisherTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly GitRemote _remote = new();
    private readonly ReconcilerOptions _options;
    private readonly GitSource _git;
    private readonly StateStore _store;
    private readonly StatusPublisher _publisher;

    public StatusPublisherTests()
    {
        _options = new ReconcilerOptions
        {
            RepositoryUrl = _remote.BarePath,
            Branch = _remote.Branch,
            StateDirectory = _remote.Scratch("state"),
            PushRetryDelay = TimeSpan.FromMilliseconds(10),
            BotName = "restore-bot",
            BotEmail = "bot@example.com",
        };
        _git = new GitSource(_options);
        _store = StateStore.Open(_options.StateDirectory);
        _publisher = new StatusPublisher(_options, _git, _store, TimeProvider.System);
    }

    public void Dispose()
    {
        _store.Dispose();
        _git.Dispose();
        _remote.Dispose();
    }

    private static ResourceRecord Restore(string name, ResourcePhase phase, long records = 0) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", name),
        SpecHash = "h",
        CreatedAt = T0,
        Status = new KafkaRestoreStatus
        {
            Phase = phase,
            StartTime = T0,
            CompletionTime = phase == ResourcePhase.Completed ? T0.AddMinutes(30) : null,
            RestoredRecords = phase == ResourcePhase.Completed ? records : null,
            ObservedGeneration = 1,
            Attempts = 1,
            SourceRevision = "0123456789abcdef0123456789abcdef01234567",
            Conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready,
                phase == ResourcePhase.Completed ? ConditionStatus.True : ConditionStatus.False,
                phase == ResourcePhase.Completed ? "RestoreCompleted" : phase.ToString(), "m", T0),
        },
    };

    private string[] RemoteLog(string branch = "main") =>
        _remote.RemoteGit("log", "--format=%an <%ae>|%s", branch).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task A_phase_change_is_one_readable_commit_by_the_bot_and_an_unchanged_status_is_never_committed()
    {
        await _git.FetchAsync(CancellationToken.None);
        _store.Save(Restore("production-restore", ResourcePhase.Running));
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        _store.Save(Restore("production-restore", ResourcePhase.Completed, 1_000_000));
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Equal(PublishOutcome.UpToDate, await _publisher.PublishAsync(CancellationToken.None));

        Assert.Equal([
            "restore-bot <bot@example.com>|kafka-backup/production-restore: Running -> Completed (1,000,000 records, 30m0s)",
            "restore-bot <bot@example.com>|kafka-backup/production-restore: Running (new)",
            "Pat Human <pat@example.com>|initial commit",
        ], RemoteLog());
        Assert.Equal(2, _publisher.Counters.StatusCommits);

        var body = _remote.RemoteGit("log", "-1", "--format=%B", "main");
        Assert.Contains("[skip ci]", body);
        var trailers = _remote.RemoteGit("log", "-1", "--format=%(trailers:only,unfold)", "main");
        Assert.Contains("Resource: KafkaRestore kafka-backup/production-restore", trailers);
        Assert.Contains("Phase: Completed", trailers);
        Assert.Contains("Spec-Revision: 0123456789abcdef0123456789abcdef01234567", trailers);

        var file = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/production-restore.yaml");
        Assert.StartsWith("apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n  name: production-restore\n  namespace: kafka-backup\nstatus:\n  phase: Completed\n", file);
        Assert.Contains("  startTime: 2024-12-01T12:00:00Z\n", file);
        Assert.Contains("  restoredRecords: 1000000\n", file);
        Assert.Contains("    status: \"True\"\n", file);
        Assert.Contains("    lastTransitionTime: 2024-12-01T12:00:00Z\n", file);
    }

    [Fact]
    public async Task Several_changes_go_in_one_commit_with_a_combined_subject()
    {
        await _git.FetchAsync(CancellationToken.None);
        _store.Save([Restore("a", ResourcePhase.Pending), Restore("b", ResourcePhase.Running), Restore("c", ResourcePhase.Completed, 5)]);
        await _publisher.PublishAsync(CancellationToken.None);
        Assert.Equal(
            "restore-bot <bot@example.com>|status: 3 resources (kafka-backup/a: Pending (new), kafka-backup/b: Running (new), kafka-backup/c: Completed (new, 5 records, 30m0s))",
            RemoteLog()[0]);
        var trailers = _remote.RemoteGit("log", "-1", "--format=%(trailers:key=Resource,valueonly)", "main");
        Assert.Equal(3, trailers.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_human_push_between_fetch_and_push_is_kept_and_the_status_is_rebuilt_on_top_without_force()
    {
        await _git.FetchAsync(CancellationToken.None);
        _store.Save(Restore("a", ResourcePhase.Running));
        var raced = false;
        _git.BeforePushSend = () =>
        {
            if (raced) return;
            raced = true;
            _remote.HumanCommit("human: add another restore", new Dictionary<string, string?> { ["restores/b.yaml"] = "kind: KafkaRestore\n" });
        };
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.True(raced);
        Assert.Equal(1, _publisher.Counters.PushRejections);

        Assert.Equal([
            "restore-bot <bot@example.com>|kafka-backup/a: Running (new)",
            "Pat Human <pat@example.com>|human: add another restore",
            "Pat Human <pat@example.com>|initial commit",
        ], RemoteLog());
        Assert.Equal("kind: KafkaRestore\n", _remote.RemoteGit("show", "main:restores/b.yaml"));
        Assert.Contains("phase: Running", _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/a.yaml"));
        AssertOnlyFastForwards(_remote);
        // Linear history: the status commit's parent is the human commit.
        Assert.Equal(_remote.RemoteGit("rev-parse", "main~1").Trim(), _remote.RemoteGit("log", "-1", "--format=%H", "--author=Pat", "main").Trim());
    }

    [Fact]
    public async Task Deleting_a_resource_removes_its_status_file_in_a_commit_that_says_why()
    {
        await _git.FetchAsync(CancellationToken.None);
        _store.Save([Restore("done", ResourcePhase.Completed, 3), Restore("busy", ResourcePhase.Running)]);
        await _publisher.PublishAsync(CancellationToken.None);
        _store.Save([
            Restore("done", ResourcePhase.Completed, 3) with { Tombstone = true, Deletion = DeletionOutcome.Deleted },
            Restore("busy", ResourcePhase.Running) with { Tombstone = true, Deletion = DeletionOutcome.Cancelled },
        ]);
        await _publisher.PublishAsync(CancellationToken.None);
        Assert.Equal(
            "restore-bot <bot@example.com>|status: 2 resources (kafka-backup/busy: Running -> cancelled, status removed, kafka-backup/done: Completed -> deleted, status removed)",
            RemoteLog()[0]);
        Assert.Equal("", _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Trim());
        Assert.Contains("Phase: Cancelled", _remote.RemoteGit("log", "-1", "--format=%B", "main"));
    }

    [Fact]
    public async Task A_status_branch_receives_status_and_snapshots_and_the_resource_branch_is_untouched()
    {
        _options.StatusBranch = "kafka-status";
        await _git.FetchAsync(CancellationToken.None);
        _store.Save(Restore("a", ResourcePhase.Completed, 1));
        var snapshot = new OffsetSnapshot("pre-restore", T0, new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "a"),
            ["127.0.0.1:9092"], ["orders"], ["orders-app"], [("orders-app", "orders", 1, 9L), ("orders-app", "orders", 0, 4L)]);
        _store.SaveSnapshot(snapshot);
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Equal(["Pat Human <pat@example.com>|initial commit"], RemoteLog("main"));
        Assert.Single(RemoteLog("kafka-status"));
        // Written out by hand from docs/offsets.md's format, not by the renderer under test; partitions in order.
        Assert.Equal("""
            # Committed consumer-group offsets recorded by kafka-restored. Written by the daemon; do not edit.
            # Roll back with a KafkaOffsetRollback (operation: rollback, snapshotId: pre-restore).
            apiVersion: snapshots.kafka-restored/v1
            kind: OffsetSnapshot
            snapshotId: pre-restore
            takenAt: 2024-12-01T12:00:00.000Z
            source:
              kind: KafkaRestore
              namespace: kafka-backup
              name: a
            cluster:
              bootstrapServers:
              - 127.0.0.1:9092
            topics:
            - orders
            groups:
              orders-app:
                orders:
                  0: 4
                  1: 9

            """, _remote.RemoteGit("show", "kafka-status:snapshots/pre-restore.yaml"));
        Assert.Contains("Offset snapshot pre-restore recorded", _remote.RemoteGit("log", "--format=%B", "kafka-status"));
        Assert.Equal(PublishOutcome.UpToDate, await _publisher.PublishAsync(CancellationToken.None));
    }

    /// <summary>Every update the remote's reflog records moved the branch forward (no forced update).</summary>
    [Theory]
    [InlineData("kafka-backup", "../../etc")]
    [InlineData("a/b", "r")]
    [InlineData("..", "r")]
    [InlineData("kafka-backup", "r\n")]
    public async Task A_record_whose_identity_cannot_name_a_status_file_is_skipped_and_the_others_publish(string ns, string name)
    {
        await _git.FetchAsync(CancellationToken.None);
        var unsafeId = new ResourceId(ResourceKinds.KafkaRestore, ns, name);
        Assert.Throws<ArgumentException>(() => StatusFiles.StatusPath("status", unsafeId));
        _store.Save([Restore("fine", ResourcePhase.Completed, 3), Restore("x", ResourcePhase.Failed) with { Id = unsafeId }]);

        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));

        Assert.Equal(["README.md", "status/kafkarestore/kafka-backup/fine.yaml"],
            _remote.RemoteGit("ls-tree", "-r", "--name-only", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    internal static void AssertOnlyFastForwards(GitRemote remote, string branch = "main")
    {
        var ids = remote.RemoteGit("reflog", "show", "--format=%H", branch).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < ids.Length; i++)
        {
            var run = ProcessRunner.Run("git", ["merge-base", "--is-ancestor", ids[i + 1], ids[i]], remote.BarePath);
            Assert.True(run.ExitCode == 0, $"reflog of {branch}: {ids[i + 1]} -> {ids[i]} is not a fast-forward");
        }
    }

    [Fact]
    public async Task A_push_that_keeps_failing_is_counted_and_reported_and_publishing_resumes_later()
    {
        await _git.FetchAsync(CancellationToken.None);
        // A stale lock on the remote branch: every update fails until someone removes it.
        var lockFile = Path.Combine(_remote.BarePath, "refs", "heads", "main.lock");
        File.WriteAllText(lockFile, "");
        _store.Save(Restore("a", ResourcePhase.Running));

        Assert.Equal(PublishOutcome.Failed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Equal(1, _publisher.Counters.PushFailures);
        Assert.NotNull(_publisher.Counters.LastPushError);
        Assert.Equal(["Pat Human <pat@example.com>|initial commit"], RemoteLog());
        Assert.Equal(ResourcePhase.Running, _store.Resources().Single().Phase);

        File.Delete(lockFile);
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Null(_publisher.Counters.LastPushError);
        Assert.Equal(2, RemoteLog().Length);
    }

    [Fact]
    public async Task Case_variant_records_left_by_an_earlier_release_share_no_status_file_and_publishing_goes_on()
    {
        await _git.FetchAsync(CancellationToken.None);
        static ResourceRecord As(ResourceRecord r, string kind) => r with { Id = r.Id with { Kind = kind } };
        // r1: the real restore and an earlier release's record of the near miss KafkaRestorE, both live.
        // r2: two near-miss records, the one that was published first deleted before the other.
        _store.Save([Restore("r1", ResourcePhase.Completed, 2_000), As(Restore("r1", ResourcePhase.Failed), "KafkaRestorE"),
            As(Restore("r2", ResourcePhase.Failed), "KafkaRestORE")]);
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        var r1 = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r1.yaml");
        Assert.Contains("kind: KafkaRestore\n", r1, StringComparison.Ordinal);
        Assert.Contains("phase: Completed", r1, StringComparison.Ordinal);
        Assert.Contains("kind: KafkaRestORE", _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r2.yaml"), StringComparison.Ordinal);

        // Both r2 records deleted: the delete that wedged every later cycle with "An item with the same key has already been added".
        _store.Save([As(Restore("r2", ResourcePhase.Failed), "KafkaRestorE") with { Tombstone = true, Deletion = DeletionOutcome.Deleted },
            As(Restore("r2", ResourcePhase.Failed), "KafkaRestORE") with { Tombstone = true, Deletion = DeletionOutcome.Deleted }]);
        Assert.Equal(PublishOutcome.Pushed, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Equal(PublishOutcome.UpToDate, await _publisher.PublishAsync(CancellationToken.None));
        Assert.Equal(["status/kafkarestore/kafka-backup/r1.yaml"],
            _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(r1, _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r1.yaml"));
    }
}
