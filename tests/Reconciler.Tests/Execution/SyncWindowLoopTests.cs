using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Tests.Planning;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #17, sync windows through the loop on real parts (bare Git remote, mock broker, folder
/// backup) with the time injected: a resource whose namespace a window closes is recorded and its
/// status says when the window opens, it starts at that time without a new commit, and a window
/// never stops an attempt already running.
/// </summary>
public sealed class SyncWindowLoopTests(KafkaFixture kafka) : OrdersLoopTests(kafka)
{
    private ReconcilerOptions Options(params SyncWindow[] windows)
    {
        var options = LoopDaemon.Options(Remote);
        foreach (var w in windows) options.SyncWindows.Add(w);
        Assert.Empty(options.Validate());
        return options;
    }

    private static ResourceRecord Find(LoopDaemon daemon, string ns, string name) => daemon.Store.Find(new ResourceId(ResourceKinds.KafkaRestore, ns, name))!;

    private int StatusVersions(string ns, string name) =>
        Remote.RemoteGit("log", "--format=%H", "main", "--", $"status/kafkarestore/{ns}/{name}.yaml").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    [Fact]
    public async Task A_deny_window_holds_its_namespace_says_when_it_opens_and_the_loop_starts_it_then_without_a_commit()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 23, 0, 0, TimeSpan.Zero));
        var held = Kafka.Broker.CreateUniqueTopic("denied", Partitions);
        var other = Kafka.Broker.CreateUniqueTopic("elsewhere", Partitions);
        Remote.HumanCommit("add two restores", new Dictionary<string, string?>
        {
            ["restores/prod.yaml"] = Orders.RestoreYaml("r", held, Kafka.Broker.BootstrapServers, ns: "prod-eu"),
            ["restores/dev.yaml"] = Orders.RestoreYaml("r", other, Kafka.Broker.BootstrapServers, ns: "dev"),
        });
        await using var daemon = new LoopDaemon(Options(SyncWindowsTests.Window(SyncWindow.Deny, "0 22 * * *", 8, "prod-*")), time: time);

        // A held resource does not keep a one-shot reconcile waiting; the namespace no window matches runs (positive control).
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Equal(ResourcePhase.Completed, Find(daemon, "dev", "r").Phase);
        Assert.Equal(Partitions * 20, RecordsIn(other));

        var record = Find(daemon, "prod-eu", "r");
        Assert.Equal((ResourcePhase.Pending, 0, (DateTimeOffset?)null), (record.Phase, record.Attempts, record.Status.StartTime));
        Assert.Equal(ConditionReasons.SyncWindowClosed, Ready(record).Reason);
        Assert.Equal("the host's sync windows refuse starting now: deny window SyncWindows:0 (\"0 22 * * *\" for 08:00:00) is active; "
            + "it starts when the window opens at 2026-12-08 06:00:00Z", Ready(record).Message);
        var status = Remote.RemoteGit("show", "main:status/kafkarestore/prod-eu/r.yaml");
        Assert.Contains("reason: SyncWindowClosed", status, StringComparison.Ordinal);
        Assert.Contains("opens at 2026-12-08 06:00:00Z", status, StringComparison.Ordinal);
        Assert.Equal(0, RecordsIn(held));

        // Later inside the window: still held, and no further status commit (the message names the opening, not the time of the cycle).
        var versions = StatusVersions("prod-eu", "r");
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 5, 59, 0, TimeSpan.Zero));
        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(ResourcePhase.Pending, Find(daemon, "prod-eu", "r").Phase);
        Assert.Equal(versions, StatusVersions("prod-eu", "r"));

        // At the opening the loop has work without a new commit (the cycle is not skipped as "nothing changed").
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 6, 0, 0, TimeSpan.Zero));
        var opened = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.False(opened.Skipped);
        Assert.Contains(opened.Actions, a => a.Id.Namespace == "prod-eu" && a.Kind == PlanActionKind.Start);
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Equal(ResourcePhase.Completed, Find(daemon, "prod-eu", "r").Phase);
        Assert.Equal(Partitions * 20, RecordsIn(held));
    }

    [Fact]
    public async Task With_an_allow_window_a_start_waits_for_it_and_a_running_attempt_is_not_stopped_when_it_closes()
    {
        // Allowed from 02:00 for an hour, in Berlin time (01:00Z in winter); 12:00Z is outside.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var window = SyncWindowsTests.Window(SyncWindow.Allow, "0 2 * * *", 1, "*");
        window.TimeZone = "Europe/Berlin";
        Remote.HumanCommit("add restore", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = Orders.RestoreYaml("r", "t", ClosedPort, "\n  job:\n    backoffLimit: 1"),
        });
        var options = Options(window);
        // The retry is due at once: the fake clock only moves when the test moves it.
        options.RetryBaseDelay = TimeSpan.Zero;
        await using var daemon = new LoopDaemon(options, connectTimeout: TimeSpan.FromSeconds(4), time: time);
        var id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r");

        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        var waiting = daemon.Record("r");
        Assert.Equal((ResourcePhase.Pending, ConditionReasons.SyncWindowClosed), (waiting.Phase, Ready(waiting).Reason));
        Assert.EndsWith("it starts when the window opens at 2026-12-08 01:00:00Z", Ready(waiting).Message, StringComparison.Ordinal);
        Assert.Contains("no allow window is active (SyncWindows:0: \"0 2 * * *\" for 01:00:00)", Ready(waiting).Message, StringComparison.Ordinal);

        // Inside the window it starts; the broker address is closed, so attempt 1 runs until its connect timeout.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 1, 59, 0, TimeSpan.Zero));
        var started = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal((false, null), (started.Skipped, started.Error));
        Assert.Contains(started.Actions, a => a.Id == id && a.Kind == PlanActionKind.Start);
        Assert.Contains(id, daemon.Loop.InFlight);

        // The window closes while it runs: the attempt is not stopped (it is planned as running) ...
        time.SetUtcNow(new DateTimeOffset(2026, 12, 8, 2, 0, 1, TimeSpan.Zero));
        Remote.HumanCommit("an unrelated change, so the cycle plans", new Dictionary<string, string?> { ["README.md"] = "notes" });
        var closed = await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Contains(id, daemon.Loop.InFlight);
        Assert.Contains(closed.Actions, a => a.Id == id && a.Kind == PlanActionKind.Unchanged && a.Reason == "running (attempt 1)");

        // ... it ends by itself (ClusterUnreachable), and its retry is held until the next opening.
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var retry = daemon.Record("r");
        Assert.Equal((ResourcePhase.Running, 1, ConditionReasons.SyncWindowClosed), (retry.Phase, retry.Attempts, Ready(retry).Reason));
        Assert.EndsWith("opens at 2026-12-09 01:00:00Z", Ready(retry).Message, StringComparison.Ordinal);

        // Positive control: in the next window the retry the spec allows does run.
        time.SetUtcNow(new DateTimeOffset(2026, 12, 9, 1, 0, 0, TimeSpan.Zero));
        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        Assert.Equal((ResourcePhase.Failed, 2), (daemon.Record("r").Phase, daemon.Record("r").Attempts));
    }
}
