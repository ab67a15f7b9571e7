using System.Diagnostics;
using Confluent.Kafka;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// Load (issue 10): many small restores committed in one commit, run by the reconcile loop with
/// maxConcurrentRestores 4, on the hosted broker. Concurrency is measured where the work happens
/// (around each real runner call); memory is sampled from the process while the loop runs.
/// 40 restores by default; KAFKA_RESTORED_FULL_RELIABILITY=1 runs 200.
/// </summary>
public sealed class LoadTests(KafkaFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int MaxConcurrent = 4;
    private const int RecordsPerRestore = 20;
    private static bool Full => ReliabilityCounts.Full;
    private static readonly int Restores = Full ? 200 : 40;
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    [Fact]
    public async Task Restores_committed_at_once_all_complete_never_more_than_maxConcurrentRestores_at_a_time_with_bounded_memory()
    {
        var backups = _remote.Scratch("backups");
        var targets = await CommitAllRestoresInOneCommitAsync(backups);

        var options = LoopOptions();
        var probe = new ConcurrencyProbe(new KafkaRestoreRunner { Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(30) } });
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options);
        var loop = ReconcileLoop.Create(options, store, git, [probe]);

        GC.Collect();
        var baseline = (Rss: Environment.WorkingSet, Heap: GC.GetTotalMemory(forceFullCollection: true));
        var peak = baseline;
        var peakReported = 0;
        var samples = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = (Math.Max(peak.Rss, Environment.WorkingSet), Math.Max(peak.Heap, GC.GetTotalMemory(false)));
                peakReported = Math.Max(peakReported, loop.Counters.Running);
                samples++;
                try { await Task.Delay(100, stop.Token); } catch (OperationCanceledException) { }
            }
        });

        var clock = Stopwatch.StartNew();
        bool idle;
        // Generous: two cores shared with other test runs; the figure is reported, never asserted.
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(Full ? 30 : 10)))
            idle = await loop.RunUntilIdleAsync(deadline.Token);
        clock.Stop();
        await stop.CancelAsync();
        await sampler;
        await loop.DisposeAsync();

        var records = store.Resources().Where(r => r.Id.Namespace == "load").ToList();
        var notCompleted = records.Where(r => r.Phase != ResourcePhase.Completed)
            .Select(r => $"{r.Id}: {r.Phase} {Conditions.Find(r.Status.Conditions, ConditionTypes.Ready)?.Message}").ToList();
        Assert.True(idle && notCompleted.Count == 0, $"{notCompleted.Count} of {Restores} not Completed:\n{string.Join('\n', notCompleted.Take(10))}");
        Assert.Equal(Restores, records.Count);
        Assert.All(records, r => Assert.Equal(RecordsPerRestore, ((KafkaRestoreStatus)r.Status).RestoredRecords));
        Assert.True(probe.Calls >= Restores, $"{probe.Calls} runner calls for {Restores} restores");
        Assert.InRange(probe.Peak, 1, MaxConcurrent);
        Assert.InRange(peakReported, 0, MaxConcurrent);
        Assert.InRange(loop.Counters.PeakRunning, 1, MaxConcurrent);

        // Every target holds its backup exactly once, read back with one independent consumer.
        var read = ReadAll(kafka.Broker.BootstrapServers, targets);
        var expected = Enumerable.Range(0, RecordsPerRestore).Select(i => $"order-{i}").ToList();
        Assert.All(targets, t => Assert.Equal(expected, read[t]));

        var everPending = AssertStatusFilesInGitCompletedAfterPending();

        // Bounded: a few small restores at a time cannot need more than this, whatever the count.
        const long MiB = 1 << 20;
        Assert.True(peak.Rss < 1536 * MiB, $"peak RSS {peak.Rss / MiB} MiB");
        Assert.True(peak.Heap - baseline.Heap < 512 * MiB, $"managed heap grew by {(peak.Heap - baseline.Heap) / MiB} MiB");

        var commits = _remote.RemoteGit("rev-list", "--count", _remote.Branch, "--", "status/").Trim();
        output.WriteLine($"load: {Restores} restores x {RecordsPerRestore} records committed in one commit, maxConcurrentRestores={MaxConcurrent}: " +
            $"all {records.Count} Completed ({probe.Calls} attempts), {Restores * RecordsPerRestore} records read back exactly once");
        output.WriteLine($"concurrency: peak {probe.Peak} runs executing at once (measured around each runner call), peak runs_in_flight gauge {peakReported} ({samples} samples), runs_in_flight_max {loop.Counters.PeakRunning}");
        output.WriteLine($"memory: test process RSS {baseline.Rss / MiB} MiB before, peak {peak.Rss / MiB} MiB; managed heap {baseline.Heap / MiB} MiB before, peak {peak.Heap / MiB} MiB");
        output.WriteLine($"git: {everPending} status files went through Pending; {commits} status commits; wall time {clock.Elapsed.TotalSeconds:0}s (reported, not asserted)");
    }

    /// <summary>Writes the backup and commits <see cref="Restores"/> restores of it, one target topic each, in one commit.</summary>
    private async Task<List<string>> CommitAllRestoresInOneCommitAsync(string backups)
    {
        await RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(backups), "backup-1",
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
            {
                [("orders", 0)] = [.. Enumerable.Range(0, RecordsPerRestore).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", $"order-{i}"))],
            },
            new Dictionary<string, int> { ["orders"] = 1 });
        var targets = Enumerable.Range(0, Restores).Select(i => kafka.Broker.CreateUniqueTopic($"load-{i:D3}", 1)).ToList();
        var bootstrap = kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal);
        var added = _remote.HumanCommit($"add {Restores} restores", Enumerable.Range(0, Restores).ToDictionary(
            i => $"restores/load-{i:D3}.yaml",
            i => (string?)$"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaRestore
                metadata:
                  name: load-{i:D3}
                  namespace: load
                spec:
                  backupId: backup-1
                  targetCluster:
                    bootstrapServers: [{bootstrap}]
                  storage:
                    storageType: filesystem
                    filesystem:
                      path: {backups}
                  topicMapping:
                    orders: {targets[i]}

                """));
        // One commit brings all of them.
        Assert.Equal(Restores, _remote.RemoteGit("diff-tree", "--no-commit-id", "--name-only", "-r", added).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        return targets;
    }

    /// <summary>The reconcile loop's options: short delays, at most <see cref="MaxConcurrent"/> restores at once.</summary>
    private ReconcilerOptions LoopOptions() => new()
    {
        RepositoryUrl = _remote.BarePath,
        Branch = _remote.Branch,
        StateDirectory = _remote.Scratch("state"),
        PollInterval = TimeSpan.FromMilliseconds(200),
        PushRetryDelay = TimeSpan.FromMilliseconds(20),
        RetryBaseDelay = TimeSpan.FromMilliseconds(200),
        MaxConcurrentRestores = MaxConcurrent,
        Policy = TestPolicy.AllowAll(),
    };

    /// <summary>Status files in Git: one per restore, every one Completed, those waiting for a worker Pending first; returns how many went through Pending.</summary>
    private int AssertStatusFilesInGitCompletedAfterPending()
    {
        var statusFiles = _remote.RemoteGit("ls-tree", "-r", "--name-only", _remote.Branch, "status/kafkarestore/load/")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Restores, statusFiles.Length);
        var completedInGit = statusFiles.Count(f => _remote.RemoteGit("show", $"{_remote.Branch}:{f}").Contains("phase: Completed", StringComparison.Ordinal));
        Assert.Equal(Restores, completedInGit);
        // Those waiting for a worker were committed as Pending first (SPEC 5: record as Pending, start when a worker is free).
        var everPending = _remote.RemoteGit("log", "-G", "phase: Pending", "--name-only", "--format=", _remote.Branch, "--", "status/kafkarestore/load/")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Count();
        Assert.InRange(everPending, Restores - MaxConcurrent, Restores);
        return everPending;
    }

    /// <summary>Every record value of partition 0 of each topic, read with one consumer assigned to all of them.</summary>
    private static Dictionary<string, List<string>> ReadAll(string bootstrap, IReadOnlyList<string> topics)
    {
        var result = topics.ToDictionary(t => t, _ => new List<string>());
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "load-check-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(topics.Select(t => new TopicPartitionOffset(t, 0, Offset.Beginning)));
        var atEnd = new HashSet<string>();
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (atEnd.Count < topics.Count && DateTime.UtcNow < deadline)
        {
            var cr = consumer.Consume(TimeSpan.FromSeconds(1));
            if (cr is null) continue;
            if (cr.IsPartitionEOF)
            {
                atEnd.Add(cr.Topic);
                continue;
            }
            result[cr.Topic].Add(cr.Message.Value);
        }
        return result;
    }

    /// <summary>Wraps the real runner and counts the attempts executing at the same moment.</summary>
    private sealed class ConcurrencyProbe(IResourceRunner inner) : IResourceRunner
    {
        private int _current;
        private int _peak;
        private int _calls;

        public string Kind => inner.Kind;

        public int Peak => Volatile.Read(ref _peak);

        public int Calls => Volatile.Read(ref _calls);

        public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var now = Interlocked.Increment(ref _current);
            int seen;
            while (now > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
                // another run raised the peak meanwhile: compare again
            }
            try
            {
                return await inner.RunAsync(resource, context, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _current);
            }
        }
    }
}
