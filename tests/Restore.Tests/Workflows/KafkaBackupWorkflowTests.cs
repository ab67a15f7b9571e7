using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Workflows;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Workflows;

/// <summary>
/// Issue #24: what a KafkaBackup run does with what it finds under its slot's backup id, before it reads anything from
/// Kafka (the cluster here is a closed port, so any attempt to read fails the run).
/// </summary>
public sealed class KafkaBackupWorkflowTests : IDisposable
{
    private static readonly DateTimeOffset Slot = new(2026, 12, 7, 2, 0, 0, TimeSpan.Zero);
    private const string Id = "nightly-20261207-020000";
    private readonly TempDir _dir = new("kr-backup-workflow");

    public void Dispose() => _dir.Dispose();

    private KafkaBackup Backup() => (KafkaBackup)Single($$"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata: {name: nightly, namespace: team-a}
        spec:
          kafkaCluster: {bootstrapServers: ["127.0.0.1:1"]}
          topics: [orders]
          storage:
            storageType: filesystem
            filesystem: {path: "{{_dir.Path}}" }
          schedule: "0 2 * * *"
        """);

    private Task<KafkaBackupRun> RunAsync() =>
        new KafkaBackupWorkflow(new SecretStore(_dir.Combine("secrets")), TimeProvider.System).RunAsync(Backup(), Slot, new KafkaBackupStatus(), CancellationToken.None);

    private async Task WriteCompleteAsync(IBackupStorage storage) =>
        await RestoreKit.WriteBackupAsync(storage, Id,
            new Dictionary<(string, int), IReadOnlyList<KafkaRestored.Restore.Backups.Kbak.BackupRecord>> { [("orders", 0)] = [RestoreKit.Record(0, 1, "k", "a"), RestoreKit.Record(1, 2, "k", "b")] },
            new Dictionary<string, int> { ["orders"] = 1 });

    [Fact]
    public async Task A_complete_backup_of_its_own_slot_is_kept_as_it_is_after_a_crash_past_the_manifest()
    {
        var storage = new FilesystemBackupStorage(_dir.Path);
        await BackupOwnerStore.WriteAsync(storage, new BackupOwner(ResourceKinds.KafkaBackup, "team-a", "nightly", Id, Slot.ToUnixTimeMilliseconds()), CancellationToken.None);
        await WriteCompleteAsync(storage);
        var manifest = await File.ReadAllTextAsync(Path.Combine(_dir.Path, Id, "manifest.json"));

        var run = await RunAsync();

        Assert.Null(run.Failure);
        Assert.Equal((Id, 2L, false), (run.Details.LastBackup!.BackupId, run.Details.LastBackup.Records, run.Details.LastBackup.RestartedIncomplete));
        Assert.Equal(manifest, await File.ReadAllTextAsync(Path.Combine(_dir.Path, Id, "manifest.json")));
    }

    [Fact]
    public async Task Data_under_its_id_that_it_did_not_write_fails_the_run_and_is_left_alone()
    {
        var storage = new FilesystemBackupStorage(_dir.Path);
        await WriteCompleteAsync(storage); // no owner file: e.g. written by the backup command
        var before = Directory.GetFiles(Path.Combine(_dir.Path, Id), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var run = await RunAsync();

        Assert.Equal(FailureReason.BackupExists, run.Failure);
        Assert.Contains("did not write", run.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(Path.Combine(_dir.Path, Id), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_incomplete_backup_of_its_own_slot_is_deleted_before_the_slot_is_written_again()
    {
        var storage = new FilesystemBackupStorage(_dir.Path);
        await BackupOwnerStore.WriteAsync(storage, new BackupOwner(ResourceKinds.KafkaBackup, "team-a", "nightly", Id, Slot.ToUnixTimeMilliseconds()), CancellationToken.None);
        var leftover = $"{Id}/topics/orders/partition=0/segment-00000000000000000000.bin.zst";
        await storage.WriteAsync(leftover, new MemoryStream([1, 2, 3]), CancellationToken.None);

        var run = await RunAsync();

        // The restart got as far as the cluster (a closed port here): the leftover went first, the owner file stayed.
        Assert.Equal(FailureReason.ClusterUnreachable, run.Failure);
        Assert.True(run.Details.CurrentBackup!.RestartedIncomplete);
        Assert.False(await storage.ExistsAsync(leftover, CancellationToken.None));
        Assert.True(await storage.ExistsAsync(BackupKeys.Owner(Id), CancellationToken.None));
    }
}
