using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The host policy in the reconciler, on real parts: a bare Git remote, the hosted Kafka-protocol broker, a filesystem backup.</summary>
public sealed class PolicyLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int RecordsPerPartition = 50;
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly string _state;

    public PolicyLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, RecordsPerPartition);
        _state = _remote.Scratch("state");
    }

    public void Dispose() => _remote.Dispose();

    private ReconcilerOptions Options(Dictionary<string, PolicyEntry>? policy) => new()
    {
        RepositoryUrl = _remote.BarePath,
        Branch = _remote.Branch,
        StateDirectory = _state,
        PollInterval = TimeSpan.FromMilliseconds(50),
        PushRetryDelay = TimeSpan.FromMilliseconds(10),
        RetryBaseDelay = TimeSpan.FromMilliseconds(50),
        Policy = policy,
    };

    /// <summary>The folder is allowed, the broker is not: only the cluster reference is denied.</summary>
    private Dictionary<string, PolicyEntry> FolderOnly() => new() { ["kafka-backup"] = new PolicyEntry { Folders = [_orders.Directory] } };

    private Dictionary<string, PolicyEntry> FolderAndBroker() => new()
    {
        ["kafka-backup"] = new PolicyEntry { Folders = [_orders.Directory] },
        ["*"] = new PolicyEntry { Clusters = [.. _kafka.Broker.BootstrapServers.Split(',')] },
    };

    /// <summary>Counts the attempts that reach the real runner: a denied resource must never get there.</summary>
    private sealed class CountingRunner : IResourceRunner
    {
        private readonly KafkaRestoreRunner _inner = new() { Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(10) } };
        private int _calls;

        public int Calls => _calls;

        public string Kind => ResourceKinds.KafkaRestore;

        public Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return _inner.RunAsync(resource, context, cancellationToken);
        }
    }

    private async Task<(ResourceRecord Record, int Calls, bool Ok)> ReconcileAsync(Dictionary<string, PolicyEntry>? policy)
    {
        var options = Options(policy);
        var runner = new CountingRunner();
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options);
        bool ok;
        await using (var loop = ReconcileLoop.Create(options, store, git, [runner]))
        {
            ok = await loop.RunUntilIdleAsync(CancellationToken.None);
        }
        return (store.Find(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r1"))!, runner.Calls, ok);
    }

    [Fact]
    public async Task A_denied_restore_fails_with_PolicyDenied_unattempted_runs_once_the_policy_allows_it_and_then_stays_completed()
    {
        var target = _kafka.Broker.CreateUniqueTopic("policy-orders", Partitions);
        _remote.HumanCommit("add restore", new Dictionary<string, string?>
        {
            ["restores/r1.yaml"] = _orders.RestoreYaml("r1", target, _kafka.Broker.BootstrapServers),
        });

        var (denied, calls, ok) = await ReconcileAsync(FolderOnly());

        Assert.False(ok);
        Assert.Equal(0, calls);
        Assert.Equal(ResourcePhase.Failed, denied.Phase);
        Assert.Equal(0, denied.Attempts);
        var ready = Conditions.Find(denied.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.PolicyDenied, ready.Reason);
        var server = _kafka.Broker.BootstrapServers.Split(',')[0];
        Assert.StartsWith("The host policy denies 3 references; nothing was executed: ", ready.Message, StringComparison.Ordinal);
        Assert.Contains($"restores/r1.yaml:9:24: error: PolicyDenied: namespace kafka-backup may not use cluster {server}: add a pattern matching it to Policy:kafka-backup:Clusters", ready.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:kafka-backup:Clusters", ready.Message, StringComparison.Ordinal);
        Assert.Empty(RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions));
        Assert.Contains("reason: PolicyDenied", _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r1.yaml"), StringComparison.Ordinal);

        // Re-evaluated on the next start: still denied, nothing new to report.
        var (again, againCalls, _) = await ReconcileAsync(FolderOnly());
        Assert.Equal(0, againCalls);
        Assert.Equal(denied.Generation, again.Generation);

        // The operator allows the broker and restarts: it runs to Completed.
        var (allowed, allowedCalls, allowedOk) = await ReconcileAsync(FolderAndBroker());
        Assert.True(allowedOk);
        Assert.Equal(1, allowedCalls);
        Assert.Equal(ResourcePhase.Completed, allowed.Phase);
        Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(_kafka.Broker.BootstrapServers, target, Partitions).Count);

        // A stricter policy later neither re-runs nor flips a completed restore.
        var (kept, keptCalls, _) = await ReconcileAsync(FolderOnly());
        Assert.Equal(0, keptCalls);
        Assert.Equal(ResourcePhase.Completed, kept.Phase);
        Assert.Equal(allowed.Generation, kept.Generation);
        Assert.Contains("phase: Completed", _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r1.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_any_policy_nothing_runs_and_the_status_names_the_setting_to_add()
    {
        var target = _kafka.Broker.CreateUniqueTopic("policy-orders", Partitions);
        _remote.HumanCommit("add restore", new Dictionary<string, string?>
        {
            ["restores/r1.yaml"] = _orders.RestoreYaml("r1", target, _kafka.Broker.BootstrapServers),
        });

        var (record, calls, _) = await ReconcileAsync(null);

        Assert.Equal(0, calls);
        var ready = Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.PolicyDenied, ready.Reason);
        Assert.Contains("no Policy", ready.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:kafka-backup:Clusters", ready.Message, StringComparison.Ordinal);
    }
}
