using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #15 items 5 and 6 through the loop on real parts (bare Git remote, mock broker, folder
/// backup): a failure no retry can help ends the resource after one attempt, a transient one is
/// retried, the status says what happened while a retry waits, and the log level says which it was.
/// </summary>
public sealed class FailureRetryTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const string ClosedPort = "127.0.0.1:1";
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly ListLogger _log = new();

    public FailureRetryTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, 20);
    }

    public void Dispose() => _remote.Dispose();

    private string RestoreYaml(string name, string target, int backoffLimit, string? bootstrap = null) =>
        _orders.RestoreYaml(name, target, bootstrap ?? _kafka.Broker.BootstrapServers, $"\n  job:\n    backoffLimit: {backoffLimit}");

    private string LatestStatusSubject() => _remote.RemoteGit("log", "-1", "--format=%s", "main", "--", "status/").Trim();

    private IEnumerable<string> Logged(LogLevel level, string resource) =>
        _log.Entries.Where(e => e.Level == level && e.Message.Contains(resource, StringComparison.Ordinal)).Select(e => e.Message);

    /// <summary>A line reporting how an attempt or a restore ended badly: the engine's end, or the loop's record of the attempt.</summary>
    private static bool IsOutcome(string message) =>
        message.StartsWith("Restore Failed", StringComparison.Ordinal)
        || (message.StartsWith("KafkaRestore kafka-backup/", StringComparison.Ordinal) && message.Contains("failed", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task A_non_empty_target_fails_after_one_attempt_with_TargetNotEmpty_and_logs_an_error_not_a_retry()
    {
        var target = _kafka.Broker.CreateUniqueTopic("occupied", Partitions);
        Kcat.Produce(_kafka.Broker.BootstrapServers, target, 0, [("someone", "else's record")]);
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", target, backoffLimit: 3) });
        await using var daemon = new LoopDaemon(LoopDaemon.Options(_remote), logger: _log);

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = daemon.Record("r");
        Assert.Equal(ResourcePhase.Failed, record.Phase);
        Assert.Equal(1, record.Attempts);
        var ready = Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal("TargetNotEmpty", ready.Reason);
        Assert.DoesNotContain("backoffLimit", ready.Message, StringComparison.Ordinal);
        Assert.StartsWith("kafka-backup/r: Running -> Failed (TargetNotEmpty", LatestStatusSubject(), StringComparison.Ordinal);
        Assert.Contains(Logged(LogLevel.Error, "kafka-backup/r"), m => m.Contains("failed: TargetNotEmpty", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Error && e.Message.StartsWith("Restore Failed: TargetNotEmpty", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Entries, e => e.Level < LogLevel.Warning && IsOutcome(e.Message));
        Assert.Empty(Logged(LogLevel.Warning, "kafka-backup/r"));
    }

    [Fact]
    public async Task An_unreachable_cluster_is_retried_with_a_warning_per_failed_attempt_and_an_error_when_backoffLimit_is_reached()
    {
        // The positive control of the test above: the same loop does retry a failure another attempt can fix.
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", "t", backoffLimit: 1, ClosedPort) });
        await using var daemon = new LoopDaemon(LoopDaemon.Options(_remote), connectTimeout: TimeSpan.FromSeconds(1), logger: _log);

        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = daemon.Record("r");
        Assert.Equal((ResourcePhase.Failed, 2), (record.Phase, record.Attempts));
        Assert.Equal("ClusterUnreachable", Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!.Reason);
        Assert.Contains(Logged(LogLevel.Warning, "kafka-backup/r"), m => m.Contains("Attempt 1 of 2 failed (ClusterUnreachable", StringComparison.Ordinal));
        Assert.Contains(Logged(LogLevel.Error, "kafka-backup/r"), m => m.Contains("failed: ClusterUnreachable", StringComparison.Ordinal));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith("Restore Failed: ClusterUnreachable", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Entries, e => e.Level < LogLevel.Warning && IsOutcome(e.Message));
    }

    [Fact]
    public async Task While_a_retry_waits_the_committed_status_says_which_attempt_failed_and_when_the_next_one_runs()
    {
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r.yaml"] = RestoreYaml("r", "t", backoffLimit: 1, ClosedPort) });
        var options = LoopDaemon.Options(_remote);
        options.RetryBaseDelay = TimeSpan.FromHours(1);
        await using var daemon = new LoopDaemon(options, connectTimeout: TimeSpan.FromSeconds(1), logger: _log);

        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        var started = daemon.Record("r").PhaseChangedAt;
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (daemon.Record("r").NextAttemptAt is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "attempt 1 never failed");
            await Task.Delay(50);
            await daemon.Loop.RunCycleAsync(CancellationToken.None);
        }

        var record = daemon.Record("r");
        Assert.Equal(ResourcePhase.Running, record.Phase);
        Assert.True(record.PhaseChangedAt > started, $"the last transition ({record.PhaseChangedAt}) is still the start of attempt 1 ({started})");
        var file = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/r.yaml");
        Assert.Contains("reason: AttemptFailed", file, StringComparison.Ordinal);
        Assert.Contains("Attempt 1 of 2 failed (ClusterUnreachable", file, StringComparison.Ordinal);
        Assert.Contains($"attempt 2 at {StatusJson.Format(record.NextAttemptAt!.Value)}", file, StringComparison.Ordinal);
        Assert.DoesNotContain("running", file.Split('\n').Single(l => l.Contains("message:", StringComparison.Ordinal) && l.Contains("ttempt", StringComparison.Ordinal)),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_completed_restore_and_a_run_stopped_by_deletion_are_logged_as_information()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored", Partitions);
        _remote.HumanCommit("add restores", new Dictionary<string, string?>
        {
            ["restores/ok.yaml"] = RestoreYaml("ok", target, backoffLimit: 0),
            ["restores/gone.yaml"] = RestoreYaml("gone", "t", backoffLimit: 0, ClosedPort),
        });
        // The engine's connect to the closed port is not cut short by cancellation; 10 s bounds the stop.
        await using var daemon = new LoopDaemon(LoopDaemon.Options(_remote), connectTimeout: TimeSpan.FromSeconds(10), logger: _log);
        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Contains(daemon.Loop.InFlight, id => id.Name == "gone");
        _remote.HumanCommit("delete gone", new Dictionary<string, string?> { ["restores/gone.yaml"] = null });
        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (daemon.Record("ok").Phase != ResourcePhase.Completed)
        {
            Assert.True(DateTime.UtcNow < deadline, $"ok is {daemon.Record("ok").Phase}");
            await Task.Delay(50);
            await daemon.Loop.RunCycleAsync(CancellationToken.None);
        }

        Assert.True(daemon.Record("gone").Tombstone);
        Assert.Contains(Logged(LogLevel.Information, "kafka-backup/ok"), m => m.Contains("completed: RestoreCompleted", StringComparison.Ordinal));
        Assert.Contains(Logged(LogLevel.Information, "kafka-backup/gone"), m => m.Contains("stopped because its YAML was deleted", StringComparison.Ordinal));
        Assert.Empty(Logged(LogLevel.Warning, "kafka-backup/").Concat(Logged(LogLevel.Error, "kafka-backup/")));
        Assert.Contains(_log.Entries, e => e.Level == LogLevel.Information && e.Message.StartsWith("Restore Completed", StringComparison.Ordinal));
    }
}
