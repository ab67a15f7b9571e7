using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>Where a scenario's backup lives: a local folder or an S3 bucket (s3rver).</summary>
public enum BackupBackend
{
    /// <summary>storage.filesystem: a folder.</summary>
    Filesystem,

    /// <summary>storage.s3: a bucket on s3rver, credentials from secret files.</summary>
    S3,
}

/// <summary>A backup in a temp folder, a state folder, and a way to run the engine against the hosted broker.</summary>
internal sealed class EngineScenario : IDisposable
{
    private readonly TempDir _dir = new("kr-engine");

    public EngineScenario(MockKafkaBroker broker)
    {
        Broker = broker;
        Directory.CreateDirectory(_dir.Combine("backups"));
        Storage = new FilesystemBackupStorage(_dir.Combine("backups"));
        State = new FileRestoreStateStore(_dir.Combine("state"));
    }

    public MockKafkaBroker Broker { get; }

    public IBackupStorage Storage { get; set; }

    public StorageSpec StorageSpec { get; set; } = null!;

    public FileRestoreStateStore State { get; }

    public string BackupId { get; } = "backup-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The secrets folder runs use when none is passed (set by <see cref="UseAsync"/> for S3).</summary>
    public string? SecretsDir { get; set; }

    /// <summary>
    /// Puts the backup on <paramref name="backend"/>: for S3, a fresh bucket on <paramref name="s3"/> with the
    /// access keys in secret files, read the way a restore reads them (spec.storage.s3.credentialsSecret).
    /// Call before writing the backup.
    /// </summary>
    public async Task UseAsync(BackupBackend backend, S3rverFixture s3)
    {
        ArgumentNullException.ThrowIfNull(s3);
        if (backend == BackupBackend.Filesystem) return;
        var secrets = _dir.Combine("secrets");
        Directory.CreateDirectory(System.IO.Path.Combine(secrets, "s3-credentials"));
        foreach (var (file, value) in new[] { ("accessKey", S3rverFixture.AccessKey), ("secretKey", S3rverFixture.SecretKey) })
        {
            var path = System.IO.Path.Combine(secrets, "s3-credentials", file);
            await File.WriteAllTextAsync(path, value);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var bucket = await s3.CreateBucketAsync("restore");
        StorageSpec = new StorageSpec(StorageType.S3,
            new S3StorageSpec(bucket, "us-east-1", "production/hourly", s3.Endpoint, true, new S3CredentialsSecretRef("s3-credentials", "accessKey", "secretKey")),
            null);
        Storage = BackupStorageFactory.Create(StorageSpec, new SecretStore(secrets));
        SecretsDir = secrets;
    }

    /// <summary>Short timeouts: the mock broker answers in milliseconds or never.</summary>
    public static RestoreTuning FastTuning { get; } = RestoreTuning.Default with
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        TopicCreationTimeout = TimeSpan.FromSeconds(2),
        CheckpointInterval = TimeSpan.FromMilliseconds(200),
        ProgressInterval = TimeSpan.FromMilliseconds(100),
    };

    public string Path(params string[] parts) => _dir.Combine(parts);

    public async Task<BackupManifest> WriteBackupAsync(
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupRecord>> records,
        IReadOnlyDictionary<string, int> partitionCounts,
        string? sourceClusterId = "source-cluster",
        IReadOnlyDictionary<(string Topic, int Partition), IReadOnlyList<BackupGap>>? gaps = null,
        long segmentRecords = 1000)
    {
        StorageSpec ??= RestoreKit.Filesystem(_dir.Combine("backups"));
        return await RestoreKit.WriteBackupAsync(Storage, BackupId, records, partitionCounts, sourceClusterId, gaps, segmentRecords);
    }

    public KafkaRestore Restore(Func<KafkaRestoreSpec, KafkaRestoreSpec>? edit = null) =>
        RestoreKit.Restore(BackupId, Broker.BootstrapServers, StorageSpec ?? RestoreKit.Filesystem(_dir.Combine("backups")), edit);

    public Task<RestoreResult> RunAsync(KafkaRestore restore, string restoreKey = "default/restore",
        IProgress<RestoreProgressUpdate>? progress = null, RestoreTuning? tuning = null, string? secretsDir = null, CancellationToken ct = default) =>
        EngineRuns.RunAsync(restore, new RestoreEnvironment(new SecretStore(secretsDir ?? SecretsDir), State, restoreKey) { Tuning = tuning ?? FastTuning },
            progress, ct);

    public void Dispose() => _dir.Dispose();
}
