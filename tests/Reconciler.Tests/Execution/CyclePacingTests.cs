using System.Diagnostics;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Issue #15 item 11: cycles are paced by the poll interval, the webhook, finished runs and backoff,
/// never faster, while attempts fail and retry against a cluster nobody listens on.
/// </summary>
public sealed class CyclePacingTests : IDisposable
{
    private const string ClosedPort = "127.0.0.1:1";
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(5);
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;

    public CyclePacingTests() => _orders = new OrdersBackup(_remote.Scratch("backups"), 1, 5);

    public void Dispose() => _remote.Dispose();

    private ReconcilerOptions Options(int maxConcurrent = 4)
    {
        var options = LoopDaemon.Options(_remote);
        options.PollInterval = Poll;
        options.ProgressCommitInterval = TimeSpan.FromMilliseconds(500);
        options.RetryBaseDelay = TimeSpan.FromMilliseconds(200);
        options.RetryMaxDelay = TimeSpan.FromMilliseconds(400);
        options.MaxConcurrentRestores = maxConcurrent;
        return options;
    }

    private static string OffsetResetYaml(string name) => $$"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaOffsetReset
        metadata: {name: {{name}}, namespace: kafka-backup}
        spec:
          kafkaCluster: {bootstrapServers: [{{ClosedPort}}]}
          consumerGroups: [billing]
          topics: [orders]
          strategy: latest

        """;

    [Fact]
    public async Task An_offset_reset_stuck_on_a_closed_port_cycles_at_the_poll_pace_not_in_a_storm()
    {
        _remote.HumanCommit("add reset", new Dictionary<string, string?> { ["offsets/reset.yaml"] = OffsetResetYaml("reset") });
        await using var daemon = new LoopDaemon(Options());

        var (cycles, elapsed, attempts) = await RunLoopForWindowAsync(daemon);

        var record = daemon.Store.Find(new ResourceId(ResourceKinds.KafkaOffsetReset, "kafka-backup", "reset"))!;
        // Positive control: the loop ran and the reset is being attempted (for longer than progressCommitInterval), so a storm would show in the counter.
        Assert.True(cycles >= 2, $"only {cycles} cycles in {elapsed}");
        Assert.True(record.Attempts >= 1, $"attempts: {record.Attempts}, {record.Phase}: {string.Join("; ", record.Status.Conditions.Select(c => c.Reason + " " + c.Message))}");
        AssertPaced(cycles, elapsed, attempts);
    }

    [Fact]
    public async Task A_retry_waiting_for_a_worker_does_not_spin_the_loop_while_another_run_holds_it()
    {
        // a-fast fails within a second (nobody listens on its cluster) and retries; b-slow, committed
        // later, takes the only worker while a-fast waits out a backoff and holds it for the whole
        // window (an offset reset's client waits 30 s for a closed port), so a-fast's due retry waits.
        _remote.HumanCommit("add a-fast", new Dictionary<string, string?>
        {
            ["restores/a-fast.yaml"] = _orders.RestoreYaml("a-fast", "t", ClosedPort, "\n  job:\n    backoffLimit: 1000"),
        });
        await using var daemon = new LoopDaemon(Options(maxConcurrent: 1), connectTimeout: TimeSpan.FromSeconds(1));
        await daemon.Loop.RunCycleAsync(CancellationToken.None);
        _remote.HumanCommit("add b-slow", new Dictionary<string, string?> { ["offsets/b-slow.yaml"] = OffsetResetYaml("b-slow") });

        var (cycles, elapsed, attempts) = await RunLoopForWindowAsync(daemon, until: d => d.Loop.InFlight.Any(id => id.Name == "b-slow"));

        var fast = daemon.Record("a-fast");
        // Positive control: a-fast failed and its retry is due while b-slow runs, the situation that spun the loop.
        Assert.Contains(daemon.Loop.InFlight, id => id.Name == "b-slow");
        Assert.True(fast.NextAttemptAt is { } due && due < DateTimeOffset.UtcNow, $"a-fast retry due at {fast.NextAttemptAt}, attempts {fast.Attempts}, {fast.Phase}");
        AssertPaced(cycles, elapsed, attempts);
    }

    private static int Attempts(LoopDaemon daemon) => daemon.Store.Resources().Sum(r => r.Attempts);

    /// <summary>At most one cycle per poll, per attempt started in the window and per backoff wake, with slack for a loaded machine.</summary>
    private static void AssertPaced(long cycles, TimeSpan elapsed, int attempts)
    {
        var bound = (long)(elapsed / Poll) + (2 * attempts) + 6;
        Assert.True(cycles <= bound, $"{cycles} cycles in {elapsed.TotalSeconds:0.0}s with {attempts} attempts (at most {bound} expected): a cycle storm");
    }

    /// <summary>Runs the loop, starts counting once <paramref name="until"/> holds, and returns the cycles of the following window.</summary>
    private static async Task<(long Cycles, TimeSpan Elapsed, int Attempts)> RunLoopForWindowAsync(LoopDaemon daemon, Func<LoopDaemon, bool>? until = null)
    {
        using var stop = new CancellationTokenSource();
        var loop = daemon.Loop.RunAsync(stop.Token);
        var ready = Stopwatch.StartNew();
        while (until is not null && !until(daemon))
        {
            Assert.True(ready.Elapsed < TimeSpan.FromSeconds(60), "the situation under test never arose");
            await Task.Delay(20);
        }
        var start = daemon.Loop.Counters.Cycles;
        var attemptsBefore = Attempts(daemon);
        var clock = Stopwatch.StartNew();
        await Task.Delay(Window);
        var cycles = daemon.Loop.Counters.Cycles - start;
        var elapsed = clock.Elapsed;
        var attempts = Attempts(daemon) - attemptsBefore;
        await stop.CancelAsync();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // RunAsync ends by throwing when it is stopped in its wait.
        }
        return (cycles, elapsed, attempts);
    }
}
