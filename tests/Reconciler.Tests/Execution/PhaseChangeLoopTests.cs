using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>Issue #17: the loop announces each phase change once, after saving it, and a handler that throws neither stops the cycle nor the other handlers.</summary>
public sealed class PhaseChangeLoopTests(KafkaFixture kafka) : OrdersLoopTests(kafka)
{
    [Fact]
    public async Task Each_phase_change_is_announced_once_and_a_throwing_handler_stops_nothing()
    {
        var target = Kafka.Broker.CreateUniqueTopic("announced", Partitions);
        var held = Orders.RestoreYaml("held", "t", Kafka.Broker.BootstrapServers, "\n  suspend: true");
        Remote.HumanCommit("add two restores", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = Orders.RestoreYaml("r", target, Kafka.Broker.BootstrapServers),
            ["restores/held.yaml"] = held,
        });
        await using var daemon = new LoopDaemon(LoopDaemon.Options(Remote));
        var seen = new List<PhaseChange>();
        daemon.Loop.PhaseChanged += _ => throw new InvalidOperationException("a broken handler");
        daemon.Loop.PhaseChanged += c =>
        {
            lock (seen) seen.Add(c);
        };

        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        // More cycles with nothing new announce nothing more.
        Remote.HumanCommit("an unrelated change", new Dictionary<string, string?> { ["README.md"] = "notes" });
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        List<PhaseChange> changes;
        lock (seen) changes = [.. seen];
        Assert.Equal(
        [
            ("held", null, ResourcePhase.Pending),
            ("r", null, ResourcePhase.Running),
            ("r", ResourcePhase.Running, ResourcePhase.Completed),
        ], changes.Select(c => (c.Id.Name, c.From, c.To)).OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.To));
        var completed = changes.Single(c => c.To == ResourcePhase.Completed);
        Assert.Equal((ConditionReasons.RestoreCompleted, 1, 1L, "restores/r.yaml"), (completed.Reason, completed.Attempts, completed.Generation, completed.SourceFile));
        Assert.Equal(ConditionReasons.Suspended, changes.Single(c => c.Id.Name == "held").Reason);
        Assert.Equal(Partitions * 20, RecordsIn(target));
    }
}
