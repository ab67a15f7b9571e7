using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Reliability;

/// <summary>
/// The daemon's reconcile loop on real parts for fault tests: a bare Git remote, the state store,
/// the real restore engine, backups of ~300-byte records, and checks of the target's full record
/// sequence. Restores run with the 8 MiB memory floor, so at most ~4 MiB wait in the producer.
/// </summary>
internal sealed class FaultRig : IAsyncDisposable
{
    /// <summary>Engine tuning for fault tests: short connect and stall timeouts (still a dozen of the slowed brokers' round trips) so outages turn into failed attempts quickly.</summary>
    public static RestoreTuning Tuning { get; } = RestoreTuning.Default with
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        TopicCreationTimeout = TimeSpan.FromSeconds(2),
        CheckpointInterval = TimeSpan.FromMilliseconds(200),
        ProgressInterval = TimeSpan.FromMilliseconds(100),
        StallTimeout = TimeSpan.FromSeconds(6),
        RestartSettleInterval = TimeSpan.FromMilliseconds(300),
    };

    public FaultRig(string? secretsDirectory = null)
    {
        Options = new ReconcilerOptions
        {
            RepositoryUrl = Remote.BarePath,
            Branch = Remote.Branch,
            StateDirectory = Remote.Scratch("state"),
            SecretsDirectory = secretsDirectory,
            PollInterval = TimeSpan.FromMilliseconds(50),
            PushRetryDelay = TimeSpan.FromMilliseconds(10),
            RetryBaseDelay = TimeSpan.FromMilliseconds(50),
            RetryMaxDelay = TimeSpan.FromMilliseconds(500),
            Policy = TestPolicy.AllowAll(),
        };
        Store = StateStore.Open(Options.StateDirectory);
        Git = new GitSource(Options);
        Loop = ReconcileLoop.Create(Options, Store, Git,
            [new KafkaRestoreRunner { Tuning = Tuning }, OffsetRunner.Reset, OffsetRunner.Rollback]);
    }

    public GitRemote Remote { get; } = new();

    public ReconcilerOptions Options { get; }

    public StateStore Store { get; }

    public GitSource Git { get; }

    public ReconcileLoop Loop { get; }

    /// <summary>Value padding: ~300-byte records, so the 8 MiB budget holds about 14,000 of them.</summary>
    public const int ValuePadding = 280;

    /// <summary>The records of a backup: per partition, offsets 0..n−1 with distinct keys and values.</summary>
    public static Dictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> Records(string topic, int partitions, int perPartition)
    {
        var padding = new string('.', ValuePadding);
        var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < partitions; p++)
        {
            var partition = p;
            records[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i =>
                RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{partition}-{i}", $"value-{partition}-{i}-{padding}"))];
        }
        return records;
    }

    public static Task<Restore.Backups.BackupManifest> WriteBackupAsync(IBackupStorage storage, string backupId, string topic, int partitions,
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> records,
        BackupCompression compression = BackupCompression.Zstd, long segmentRecords = 1000) =>
        RestoreKit.WriteBackupAsync(storage, backupId, records, new Dictionary<string, int> { [topic] = partitions },
            segmentRecords: segmentRecords, compression: compression);

    /// <summary>storage: block for a filesystem backup.</summary>
    public static string FilesystemStorage(string path) => TestSupport.RestoreYaml.FilesystemStorage(path);

    /// <summary>storage: block for a backup in s3rver, credentials from the secret s3-credentials.</summary>
    public static string S3Storage(string bucket, string endpoint) => TestSupport.RestoreYaml.S3Storage(bucket, endpoint);

    /// <summary>A KafkaRestore of topic <paramref name="source"/> renamed to <paramref name="target"/>, at the 8 MiB memory floor.</summary>
    public static string RestoreYaml(string name, string backupId, string source, string target, string bootstrap, string storage,
        int backoffLimit, string? rerun = null) => TestSupport.RestoreYaml.Restore(name, "kafka-backup", backupId, source, target, bootstrap, storage, backoffLimit, rerun);

    public ResourceRecord? Record(string name) => Store.Find(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", name));

    /// <summary>Phase, attempts and Ready condition of a resource, for failure messages.</summary>
    public string Describe(string name) => Record(name) is { } r
        ? $"{r.Phase}, attempt {r.Attempts}, {Conditions.Find(r.Status.Conditions, ConditionTypes.Ready)?.Reason}: {Conditions.Find(r.Status.Conditions, ConditionTypes.Ready)?.Message}"
        : "no record";

    public string StatusFile(string name) => Remote.RemoteGit("show", $"main:status/kafkarestore/kafka-backup/{name}.yaml");

    /// <summary>Waits until the resource's first attempt has ended (failed and waiting for a retry, or a later attempt started).</summary>
    public async Task WaitForFailedAttemptAsync(string name, Task loop, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline && !loop.IsCompleted)
        {
            if (Record(name) is { } r && (r.NextAttemptAt is not null || r.Attempts >= 2 || r.Phase == ResourcePhase.Failed)) return;
            await Task.Delay(100);
        }
        Assert.Fail($"{name}: no attempt failed within {limit} (loop finished: {loop.IsCompleted}, phase {Record(name)?.Phase})");
    }

    /// <summary>Waits until at least one record of the topic is in the target.</summary>
    public async Task<long> WaitForFirstRecordsAsync(string name, string bootstrap, string topic, int partitions, Task loop, TimeSpan limit)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).SetLogHandler((_, _) => { }).Build();
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(loop.IsCompleted, $"the reconcile loop ended before any record of the restore landed: {Describe(name)}");
            var landed = await RestoreKit.LandedAsync(admin, topic, partitions);
            if (landed > 0) return landed;
            await Task.Delay(50);
        }
        Assert.Fail($"no record reached {topic} within {limit}");
        return 0;
    }

    /// <summary>
    /// Responses wait this long, so the producer (at most ~4 MiB unacknowledged under the 8 MiB
    /// floor) acknowledges at most ~4 MiB per round trip whatever the machine's speed: 24 MB of
    /// backup is still far from done when the first records are seen in the target.
    /// </summary>
    public const int SlowRttMs = 500;

    /// <summary>
    /// Commits restore <paramref name="name"/> with the brokers slowed (<see cref="SlowRttMs"/>), starts a
    /// fault once its first records are in <paramref name="target"/>, ends it once an attempt has failed,
    /// and waits for the loop to go idle. Returns the records seen in the target when the fault started.
    /// </summary>
    public async Task<long> RestoreThroughFaultAsync(MockKafkaBroker broker, string name, string yaml, string target, int partitions,
        Action startFault, Action endFault)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(startFault);
        ArgumentNullException.ThrowIfNull(endFault);
        broker.SetRtt(SlowRttMs);
        try
        {
            Remote.HumanCommit("add " + name, new Dictionary<string, string?> { [$"restores/{name}.yaml"] = yaml });
            var loop = Loop.RunUntilIdleAsync(CancellationToken.None);
            var landed = await WaitForFirstRecordsAsync(name, broker.BootstrapServers, target, partitions, loop, TimeSpan.FromMinutes(1));
            startFault();
            try
            {
                await WaitForFailedAttemptAsync(name, loop, TimeSpan.FromMinutes(1));
            }
            finally
            {
                broker.SetRtt(0);
                endFault();
            }
            Assert.True(await loop.WaitAsync(TimeSpan.FromMinutes(3)));
            return landed;
        }
        finally
        {
            broker.SetRtt(0);
        }
    }

    /// <summary>
    /// After <see cref="RestoreThroughFaultAsync"/>: restore <paramref name="name"/> Completed in a later
    /// attempt, says so in its status file, and its target holds every record exactly once. Returns the
    /// attempts it took and the records compared.
    /// </summary>
    public (int Attempts, long Compared) AssertRecoveredExactlyOnce(MockKafkaBroker broker, string name, string target, int partitions,
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> records, string source)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var record = Record(name)!;
        Assert.Equal(ResourcePhase.Completed, record.Phase);
        Assert.True(record.Attempts >= 2, $"attempts: {record.Attempts}");
        Assert.Contains("phase: Completed", StatusFile(name));
        return (record.Attempts, AssertExactlyOnce(broker.BootstrapServers, target, partitions, records, source));
    }

    /// <summary>
    /// Asserts the target holds exactly the backup's records of every partition, in order, byte for
    /// byte (keys, values, timestamps); returns the number of records compared.
    /// </summary>
    public static long AssertExactlyOnce(string bootstrap, string topic, int partitions,
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> records, string source)
    {
        var seen = RestoreKit.ReadTopic(bootstrap, topic, partitions);
        for (var p = 0; p < partitions; p++)
        {
            var expected = records[(source, p)];
            var got = seen.Where(r => r.Partition == p).ToList();
            Assert.True(expected.Count == got.Count, $"{topic}[{p}] holds {got.Count} records, the backup {expected.Count}");
            Assert.Equal(expected.Select(r => r.Key), got.Select(r => r.Key));
            Assert.Equal(expected.Select(r => r.Value), got.Select(r => r.Value));
            Assert.Equal(expected.Select(r => r.Timestamp), got.Select(r => r.Timestamp));
        }
        return seen.Count;
    }

    /// <summary>Asserts every partition of the target holds a prefix of the backup's records (nothing lost in between, nothing twice); returns the counts.</summary>
    public static long[] AssertPrefixes(string bootstrap, string topic, int partitions,
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> records, string source)
    {
        var seen = RestoreKit.ReadTopic(bootstrap, topic, partitions);
        var counts = new long[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var got = seen.Where(r => r.Partition == p).ToList();
            var expected = records[(source, p)].Take(got.Count).ToList();
            Assert.Equal(expected.Select(r => r.Value), got.Select(r => r.Value));
            counts[p] = got.Count;
        }
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        await Loop.DisposeAsync();
        Git.Dispose();
        Store.Dispose();
        Remote.Dispose();
    }
}
