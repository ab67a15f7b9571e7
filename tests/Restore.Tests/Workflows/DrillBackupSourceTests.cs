using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Workflows;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Workflows;

/// <summary>Issue #24: which backup a drill's spec.backupRef means, in a real folder store: the KafkaBackup's newest complete backup, its storage checked by the policy first.</summary>
public sealed class DrillBackupSourceTests : IDisposable
{
    private readonly TempDir _dir = new("kr-drill-source");

    public void Dispose() => _dir.Dispose();

    private KafkaBackup Backup(string name = "nightly") => (KafkaBackup)Single($"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata: {"{"}name: {name}, namespace: team-a{"}"}
        spec:
          kafkaCluster: {"{"}bootstrapServers: ["kafka:9092"]{"}"}
          topics: [orders]
          storage: {"{"}storageType: filesystem, filesystem: {"{"}path: {_dir.Path}{"}"}{"}"}
          schedule: "0 2 * * *"
        """);

    private static KafkaRestoreDrill Drill() => new(new ObjectMeta("weekly", "team-a", ValueMap.Empty, ValueMap.Empty),
        new KafkaRestoreDrillSpec("0 3 * * 0", null, null, new BackupRef("nightly", "team-a"),
            new KafkaClusterSpec(new ValueList<string>(["127.0.0.1:9092"]), SecurityProtocol.Plaintext, null, null, null), "drill-", null, DrillObjectives.None));

    private static HostPolicy Allowing(string folder) => new(new Dictionary<string, PolicyEntry> { ["team-a"] = new() { Folders = [folder] } });

    private async Task WriteAsync(string id, string owner, bool complete)
    {
        var storage = new FilesystemBackupStorage(_dir.Path);
        await BackupOwnerStore.WriteAsync(storage, new BackupOwner(ResourceKinds.KafkaBackup, "team-a", owner, id, 0), CancellationToken.None);
        if (!complete) return;
        await RestoreKit.WriteBackupAsync(storage, id,
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [("orders", 0)] = [RestoreKit.Record(0, 1, "k", "v")] },
            new Dictionary<string, int> { ["orders"] = 1 });
    }

    private Task<(string BackupId, StorageSpec Storage)> ResolveAsync(HostPolicy? policy) =>
        DrillBackupSource.ResolveAsync(Drill(), r => Assert.IsType<KafkaBackup>(r.Name == "nightly" ? Backup() : null), policy, new SecretStore(null), CancellationToken.None);

    [Fact]
    public async Task The_newest_complete_backup_the_KafkaBackup_wrote_is_taken_never_an_incomplete_or_anothers_one()
    {
        await WriteAsync("nightly-20261205-020000", "nightly", complete: true);
        await WriteAsync("nightly-20261206-020000", "nightly", complete: true);
        // Newer, but incomplete (no manifest), or written by another resource into the same store and id pattern.
        await WriteAsync("nightly-20261207-020000", "nightly", complete: false);
        await WriteAsync("nightly-20261208-020000", "other", complete: true);

        var (id, storage) = await ResolveAsync(Allowing(_dir.Path));

        Assert.Equal("nightly-20261206-020000", id);
        Assert.Equal(_dir.Path, storage.Filesystem!.Path);
    }

    [Fact]
    public async Task No_completed_backup_yet_is_BackupRefUnresolved_naming_the_KafkaBackup()
    {
        await WriteAsync("nightly-20261207-020000", "nightly", complete: false);

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => ResolveAsync(Allowing(_dir.Path)));

        Assert.Same(FailureReason.BackupRefUnresolved, e.Reason);
        Assert.Contains("KafkaBackup team-a/nightly, which has no completed backup yet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_storage_the_policy_denies_to_the_drills_namespace_is_PolicyDenied_before_it_is_listed()
    {
        await WriteAsync("nightly-20261206-020000", "nightly", complete: true);

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => ResolveAsync(Allowing("/srv/other-team")));

        Assert.Same(FailureReason.PolicyDenied, e.Reason);
        Assert.Contains($"namespace team-a may not use folder {_dir.Path}", e.Message, StringComparison.Ordinal);
        // Positive control: the same store allowed resolves to the backup.
        Assert.Equal("nightly-20261206-020000", (await ResolveAsync(Allowing(_dir.Path))).BackupId);
    }
}
