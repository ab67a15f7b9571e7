using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #17, spec.suspend and spec.dependsOn through the loop on real parts (bare Git remote, mock
/// broker, folder backup): a suspended resource is recorded but not started, a running attempt
/// finishes and is not retried, and a dependent starts only once its dependency is Completed.
/// </summary>
public sealed class SuspendAndDependsOnLoopTests(KafkaFixture kafka) : OrdersLoopTests(kafka)
{
    private string RestoreYaml(string name, string target, string extra = "", string? bootstrap = null) =>
        Orders.RestoreYaml(name, target, bootstrap ?? Kafka.Broker.BootstrapServers, extra);

    private static string DependsOn(string name) => $"\n  dependsOn:\n    - kind: KafkaRestore\n      name: {name}";

    private void Commit(string message, string file, string yaml) =>
        Remote.HumanCommit(message, new Dictionary<string, string?> { [file] = yaml });

    /// <summary>Each version of a status file, oldest first, with its commit's position on main (0 = oldest commit).</summary>
    private List<(int Position, string Text)> Versions(string name)
    {
        var path = $"status/kafkarestore/kafka-backup/{name}.yaml";
        var order = Remote.RemoteGit("rev-list", "--reverse", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        return [.. Remote.RemoteGit("log", "--reverse", "--format=%H", "main", "--", path).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(sha => (order.IndexOf(sha), Remote.RemoteGit("show", $"{sha}:{path}")))];
    }

    [Fact]
    public async Task A_suspended_restore_is_recorded_but_not_started_and_starts_once_unsuspended()
    {
        var target = Kafka.Broker.CreateUniqueTopic("suspended", Partitions);
        Commit("add a suspended restore", "restores/r.yaml", RestoreYaml("r", target, "\n  suspend: true"));
        await using var daemon = new LoopDaemon(LoopDaemon.Options(Remote));

        // Held resources do not keep a one-shot reconcile waiting.
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var held = daemon.Record("r");
        Assert.Equal((ResourcePhase.Pending, 0, (DateTimeOffset?)null), (held.Phase, held.Attempts, held.Status.StartTime));
        Assert.Equal(ConditionReasons.Suspended, Ready(held).Reason);
        Assert.Contains("spec.suspend is true: not started", Ready(held).Message, StringComparison.Ordinal);
        var status = Remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r.yaml");
        Assert.Contains("phase: Pending", status, StringComparison.Ordinal);
        Assert.Contains("reason: Suspended", status, StringComparison.Ordinal);
        Assert.Equal(0, RecordsIn(target));

        // Unsuspending (no spec change: same generation) starts it.
        Commit("unsuspend", "restores/r.yaml", RestoreYaml("r", target, "\n  suspend: false"));
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var done = daemon.Record("r");
        Assert.Equal((ResourcePhase.Completed, 1, held.Generation), (done.Phase, done.Attempts, done.Generation));
        Assert.Equal(Partitions * 20, RecordsIn(target));
    }

    [Fact]
    public async Task An_attempt_running_when_suspended_finishes_but_is_not_retried_until_unsuspended()
    {
        Commit("add restore", "restores/r.yaml", RestoreYaml("r", "t", "\n  job:\n    backoffLimit: 2", ClosedPort));
        await using var daemon = new LoopDaemon(LoopDaemon.Options(Remote), connectTimeout: TimeSpan.FromSeconds(4));
        var id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r");

        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Contains(id, daemon.Loop.InFlight);
        Commit("suspend it", "restores/r.yaml", RestoreYaml("r", "t", "\n  suspend: true\n  job:\n    backoffLimit: 2", ClosedPort));
        var suspendedCycle = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        // The suspension was planned while attempt 1 still ran (the broker address is closed: it fails only after the connect timeout).
        Assert.Contains(id, daemon.Loop.InFlight);
        Assert.Contains(suspendedCycle.Actions, a => a.Id == id && a.Kind == PlanActionKind.Unchanged
            && a.Reason == "running (attempt 1); spec.suspend is true: this attempt finishes, no further attempt starts");

        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var held = daemon.Record("r");
        Assert.Equal((ResourcePhase.Running, 1), (held.Phase, held.Attempts));
        Assert.Equal(ConditionReasons.Suspended, Ready(held).Reason);
        Assert.Contains("attempt 1 failed and no further attempt starts", Ready(held).Message, StringComparison.Ordinal);
        Assert.Empty(daemon.Loop.InFlight);

        // Positive control: unsuspended, the retries the spec allows do run.
        Commit("unsuspend", "restores/r.yaml", RestoreYaml("r", "t", "\n  job:\n    backoffLimit: 2", ClosedPort));
        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var failed = daemon.Record("r");
        Assert.Equal((ResourcePhase.Failed, 3, held.Generation), (failed.Phase, failed.Attempts, failed.Generation));
        Assert.Equal("ClusterUnreachable", Ready(failed).Reason);
    }

    [Fact]
    public async Task A_dependent_starts_only_after_its_dependency_completed()
    {
        var targetA = Kafka.Broker.CreateUniqueTopic("first", Partitions);
        var targetB = Kafka.Broker.CreateUniqueTopic("second", Partitions);
        Remote.HumanCommit("add a and b", new Dictionary<string, string?>
        {
            ["restores/a.yaml"] = RestoreYaml("a", targetA),
            ["restores/b.yaml"] = RestoreYaml("b", targetB, DependsOn("a")),
        });
        await using var daemon = new LoopDaemon(LoopDaemon.Options(Remote));

        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var (a, b) = (daemon.Record("a"), daemon.Record("b"));
        Assert.Equal((ResourcePhase.Completed, ResourcePhase.Completed), (a.Phase, b.Phase));
        Assert.True(b.Status.StartTime >= a.Status.CompletionTime, $"b started {b.Status.StartTime:O}, a completed {a.Status.CompletionTime:O}");
        Assert.Equal(Partitions * 20, RecordsIn(targetB));

        // Git tells the same order: b was published waiting for a, then a Completed, and b ran only from that commit on.
        var bVersions = Versions("b");
        Assert.Contains("reason: DependencyNotReady", bVersions[0].Text, StringComparison.Ordinal);
        Assert.Contains("waits for KafkaRestore kafka-backup/a (spec.dependsOn[0])", bVersions[0].Text, StringComparison.Ordinal);
        var aCompleted = Versions("a").First(v => v.Text.Contains("phase: Completed", StringComparison.Ordinal)).Position;
        var bStarted = bVersions.First(v => !v.Text.Contains("phase: Pending", StringComparison.Ordinal)).Position;
        Assert.True(bVersions[0].Position < aCompleted && aCompleted <= bStarted, $"b waiting {bVersions[0].Position}, a completed {aCompleted}, b started {bStarted}");
    }

    [Fact]
    public async Task A_failed_dependency_keeps_its_dependent_waiting_and_says_so()
    {
        var occupied = Kafka.Broker.CreateUniqueTopic("occupied", Partitions);
        Kcat.Produce(Kafka.Broker.BootstrapServers, occupied, 0, [("someone", "else's record")]);
        var targetB = Kafka.Broker.CreateUniqueTopic("never", Partitions);
        Remote.HumanCommit("add a and b", new Dictionary<string, string?>
        {
            ["restores/a.yaml"] = RestoreYaml("a", occupied),
            ["restores/b.yaml"] = RestoreYaml("b", targetB, DependsOn("a")),
        });
        await using var daemon = new LoopDaemon(LoopDaemon.Options(Remote));

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        Assert.Equal(ResourcePhase.Failed, daemon.Record("a").Phase);
        var b = daemon.Record("b");
        Assert.Equal((ResourcePhase.Pending, 0), (b.Phase, b.Attempts));
        Assert.Equal(ConditionReasons.DependencyFailed, Ready(b).Reason);
        Assert.Contains("waits for KafkaRestore kafka-backup/a (spec.dependsOn[0]), which Failed (TargetNotEmpty)", Ready(b).Message, StringComparison.Ordinal);
        Assert.Contains("reason: DependencyFailed", Remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/b.yaml"), StringComparison.Ordinal);
        Assert.Equal(0, RecordsIn(targetB));
    }

    [Fact]
    public async Task The_daemon_refuses_a_cycle_and_a_missing_dependency_as_invalid_specs_naming_file_and_field()
    {
        Remote.HumanCommit("add a cycle and a dangling dependency", new Dictionary<string, string?>
        {
            ["restores/a.yaml"] = RestoreYaml("a", "ta", DependsOn("b")),
            ["restores/b.yaml"] = RestoreYaml("b", "tb", DependsOn("a")),
            ["restores/c.yaml"] = RestoreYaml("c", "tc", DependsOn("nobody")),
        });
        await using var daemon = new LoopDaemon(LoopDaemon.Options(Remote));

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        foreach (var (name, code, text) in new[]
        {
            ("a", "DependencyCycle", "KafkaRestore kafka-backup/a -> KafkaRestore kafka-backup/b -> KafkaRestore kafka-backup/a"),
            ("b", "DependencyCycle", "KafkaRestore kafka-backup/b -> KafkaRestore kafka-backup/a -> KafkaRestore kafka-backup/b"),
            ("c", "DependencyNotFound", "names KafkaRestore kafka-backup/nobody"),
        })
        {
            var record = daemon.Record(name);
            Assert.Equal((ResourcePhase.Failed, 0), (record.Phase, record.Attempts));
            Assert.Equal(ConditionReasons.InvalidSpec, Ready(record).Reason);
            Assert.Contains($"restores/{name}.yaml:", Ready(record).Message, StringComparison.Ordinal);
            Assert.Contains($"{code}: spec.dependsOn[0]", Ready(record).Message, StringComparison.Ordinal);
            Assert.Contains(text, Ready(record).Message, StringComparison.Ordinal);
        }
    }
}
