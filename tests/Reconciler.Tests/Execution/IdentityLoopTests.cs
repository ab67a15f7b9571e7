using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Identity is exact and total, end to end (issue 19, finding 3): near-miss kinds committed next to a
/// completed restore on a real broker and a bare Git remote, across daemon restarts on one state directory.
/// </summary>
public sealed class IdentityLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int RecordsPerPartition = 50;
    private const string StatusFile = "status/kafkarestore/kafka-backup/r1.yaml";
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly ReconcilerOptions _options;

    public IdentityLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, RecordsPerPartition);
        _options = new ReconcilerOptions
        {
            RepositoryUrl = _remote.BarePath,
            Branch = _remote.Branch,
            StateDirectory = _remote.Scratch("state"),
            PollInterval = TimeSpan.FromMilliseconds(50),
            PushRetryDelay = TimeSpan.FromMilliseconds(10),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            Policy = TestPolicy.AllowAll(),
        };
    }

    public void Dispose() => _remote.Dispose();

    private static readonly ResourceId R1 = new(ResourceKinds.KafkaRestore, "kafka-backup", "r1");

    /// <summary>One daemon lifetime: a new store instance and loop on the shared state directory.</summary>
    private sealed class Daemon : IAsyncDisposable
    {
        public Daemon(ReconcilerOptions options)
        {
            Store = StateStore.Open(options.StateDirectory);
            Git = new GitSource(options);
            Loop = ReconcileLoop.Create(options, Store, Git,
                [new KafkaRestoreRunner { Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(10) } }],
                logger: Log);
        }

        public ListLogger Log { get; } = new();

        public StateStore Store { get; }

        public GitSource Git { get; }

        public ReconcileLoop Loop { get; }

        public async ValueTask DisposeAsync()
        {
            await Loop.DisposeAsync();
            Git.Dispose();
            Store.Dispose();
        }
    }

    private string StatusHistory() => _remote.RemoteGit("log", "--format=%H %s", "main", "--", StatusFile);

    private string[] StatusFiles() =>
        _remote.RemoteGit("ls-tree", "-r", "--name-only", "main", "status/").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private int TargetRecords(string target) => RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count;

    [Fact]
    public async Task A_case_variant_kind_of_a_completed_restore_changes_nothing_of_it_across_two_restarts()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        var yaml = _orders.RestoreYaml("r1", target, _kafka.Broker.BootstrapServers);
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r1.yaml"] = yaml });
        ResourceRecord completed;
        await using (var daemon = new Daemon(_options))
        {
            Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
            completed = daemon.Store.Find(R1)!;
        }
        // Positive control: the restore ran, wrote its records and has a status history to keep.
        Assert.Equal(ResourcePhase.Completed, completed.Phase);
        Assert.Equal(Partitions * RecordsPerPartition, TargetRecords(target));
        var history = StatusHistory();
        Assert.Contains("Running -> Completed", history, StringComparison.Ordinal);
        var statusText = _remote.RemoteGit("show", "main:" + StatusFile);

        _remote.HumanCommit("same name, kind with a wrong case", new Dictionary<string, string?>
        {
            ["restores/r1-typo.yaml"] = yaml.Replace("kind: KafkaRestore", "kind: KafkaRestorE", StringComparison.Ordinal),
        });
        for (var restart = 1; restart <= 2; restart++)
        {
            await using var daemon = new Daemon(_options);
            var report = await daemon.Loop.RunCycleAsync(CancellationToken.None);
            Assert.True(report.Synced, report.Error);
            Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

            Assert.Equal(completed, daemon.Store.Find(R1));
            Assert.Equal([R1], daemon.Store.Resources().Select(r => r.Id));
            Assert.All(report.Actions, a => Assert.Equal(KafkaRestored.Reconciler.Planning.PlanActionKind.Unchanged, a.Kind));
            // The operator sees the typo in the daemon log, with the spelling to use.
            Assert.Contains(daemon.Log.Lines, l => l.Contains(
                "restores/r1-typo.yaml:2:7: error: UnknownKind: kind \"KafkaRestorE\" is not one of KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback, KafkaBackup, KafkaRestoreDrill under kafka.oso.sh/v1alpha1; did you mean \"KafkaRestore\"? (kinds are case-sensitive)",
                StringComparison.Ordinal));
            Assert.Equal(history, StatusHistory());
            Assert.Equal(statusText, _remote.RemoteGit("show", "main:" + StatusFile));
            Assert.Equal([StatusFile], StatusFiles());
            Assert.Equal(Partitions * RecordsPerPartition, TargetRecords(target));
        }
    }

    [Fact]
    public async Task Two_case_variant_documents_of_one_name_committed_then_deleted_never_stop_publishing()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        var yaml = _orders.RestoreYaml("x", target, _kafka.Broker.BootstrapServers);
        await using var daemon = new Daemon(_options);

        _remote.HumanCommit("two case variants of one name", new Dictionary<string, string?>
        {
            ["restores/a.yaml"] = yaml.Replace("kind: KafkaRestore", "kind: KafkaRestorE", StringComparison.Ordinal),
            ["restores/b.yaml"] = yaml.Replace("kind: KafkaRestore", "kind: KafkaRestORE", StringComparison.Ordinal),
        });
        var added = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        _remote.HumanCommit("delete both", new Dictionary<string, string?> { ["restores/a.yaml"] = null, ["restores/b.yaml"] = null });
        var deleted = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        var again = await daemon.Loop.RunCycleAsync(CancellationToken.None);

        foreach (var report in new[] { added, deleted, again }) Assert.True(report.Synced, report.Error);
        Assert.Empty(daemon.Store.Resources());
        Assert.Null(daemon.Loop.Counters.LastError);

        // Positive control: publishing still works, a valid resource committed afterwards gets its status.
        _remote.HumanCommit("a real restore", new Dictionary<string, string?> { ["restores/r1.yaml"] = _orders.RestoreYaml("r1", target, _kafka.Broker.BootstrapServers) });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Contains("phase: Completed", _remote.RemoteGit("show", "main:" + StatusFile), StringComparison.Ordinal);
        Assert.Equal([StatusFile], StatusFiles());
    }

    [Fact]
    public async Task A_state_store_of_an_earlier_release_holding_a_case_variant_record_is_migrated_and_publishing_goes_on()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        var yaml = _orders.RestoreYaml("r1", target, _kafka.Broker.BootstrapServers);
        var typo = yaml.Replace("kind: KafkaRestore", "kind: KafkaRestorE", StringComparison.Ordinal);
        // What an earlier release left: a record and a status file for the near miss KafkaRestorE kafka-backup/r1.
        var legacyId = R1 with { Kind = "KafkaRestorE" };
        var failed = new UnservedKindStatus
        {
            Phase = ResourcePhase.Failed,
            ObservedGeneration = 1,
            CompletionTime = DateTimeOffset.UnixEpoch,
            Conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.InvalidSpec,
                "restores/r1-typo.yaml:2:7: error: UnknownKind", DateTimeOffset.UnixEpoch),
        };
        State.PreviousReleaseState.Write(_options.StateDirectory, store => store.Save(new ResourceRecord
        {
            Id = legacyId,
            SpecHash = "invalid:x",
            DesiredSpecHash = "invalid:x",
            SourceFile = "restores/r1-typo.yaml",
            Status = failed,
            PublishedStatus = failed,
            CreatedAt = DateTimeOffset.UnixEpoch,
        }));
        _remote.HumanCommit("as an earlier release left it", new Dictionary<string, string?>
        {
            ["restores/r1-typo.yaml"] = typo,
            [StatusFile] = KafkaRestored.Reconciler.Status.StatusFiles.RenderStatus(legacyId, failed),
        });
        await using var daemon = new Daemon(_options);

        var first = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.True(first.Synced, first.Error);
        Assert.True(StateStore.IsOrdinal(daemon.Store.Database));
        Assert.True(daemon.Store.Find(legacyId)!.Tombstone);
        Assert.Empty(StatusFiles());

        // The real restore of the same name, then both documents deleted: every cycle publishes.
        _remote.HumanCommit("the real restore", new Dictionary<string, string?> { ["restores/r1.yaml"] = yaml });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Contains("kind: KafkaRestore\n", _remote.RemoteGit("show", "main:" + StatusFile), StringComparison.Ordinal);
        Assert.Equal(Partitions * RecordsPerPartition, TargetRecords(target));
        _remote.HumanCommit("delete both", new Dictionary<string, string?> { ["restores/r1.yaml"] = null, ["restores/r1-typo.yaml"] = null });
        var deleted = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.True(deleted.Synced, deleted.Error);
        Assert.Empty(StatusFiles());
        Assert.Equal([legacyId, R1], daemon.Store.Resources().Where(r => r.Tombstone).Select(r => r.Id));

        _remote.HumanCommit("another restore", new Dictionary<string, string?>
        {
            ["restores/r2.yaml"] = _orders.RestoreYaml("r2", _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions), _kafka.Broker.BootstrapServers),
        });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Equal(["status/kafkarestore/kafka-backup/r2.yaml"], StatusFiles());
    }
}
