using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

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
        RestoreEngine.RunAsync(restore, new RestoreEnvironment(new SecretStore(secretsDir), State, restoreKey) { Tuning = tuning ?? FastTuning },
            progress, ct);

    public void Dispose() => _dir.Dispose();
}
