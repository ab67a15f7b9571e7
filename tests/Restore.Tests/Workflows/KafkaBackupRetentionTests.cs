using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Workflows;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Workflows;

/// <summary>Issue #24: KafkaBackup retention keeps what its rules keep and the newest, and only ever deletes backups this resource wrote.</summary>
public sealed class KafkaBackupRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 2, 30, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new("kr-retention");

    public void Dispose() => _dir.Dispose();

    private static KafkaBackup Backup(string retention, string name = "nightly", string ns = "team-a") => (KafkaBackup)Single($"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata: {"{"}name: {name}, namespace: {ns}{"}"}
        spec:
          kafkaCluster: {"{"}bootstrapServers: ["kafka:9092"]{"}"}
          topics: [orders]
          storage: {"{"}storageType: filesystem, filesystem: {"{"}path: /var/backups{"}"}{"}"}
          schedule: "0 2 * * *"
          retention: {retention}
        """);

    /// <summary>Daily backups at 02:00, <paramref name="days"/> of them ending today, newest last.</summary>
    private static List<(string Id, DateTimeOffset Slot)> Daily(int days) =>
        [.. Enumerable.Range(0, days).Select(i => Now.Date.AddHours(2).AddDays(i - days + 1)).Select(d => new DateTimeOffset(d, TimeSpan.Zero))
            .Select(slot => ($"nightly-{slot:yyyyMMdd}-020000", slot))];

    // Now is 02:30, backups are daily at 02:00: the ones of today and 1 and 2 days ago are younger than 3 days.
    [Theory]
    [InlineData("{enabled: true, keepLast: 3}", 3)]
    [InlineData("{enabled: true, maxAgeDays: 3}", 3)]
    [InlineData("{enabled: true, keepLast: 2, maxAgeDays: 4}", 4)]
    [InlineData("{enabled: true, keepLast: 5, maxAgeDays: 2}", 5)]
    [InlineData("{enabled: false, keepLast: 1}", 10)]
    public void A_backup_is_kept_when_any_rule_keeps_it_and_the_rest_are_deleted_oldest_first(string retention, int newestKept)
    {
        var backups = Daily(10);

        var doomed = KafkaBackupRetention.ToDelete(Backup(retention).Spec.Retention!, backups, Now);

        Assert.Equal(backups.Take(10 - newestKept).Select(b => b.Id), doomed);
    }

    [Fact]
    public void The_newest_backup_is_kept_even_when_every_rule_would_drop_it()
    {
        var old = Daily(3).Select(b => (b.Id, b.Slot.AddDays(-100))).ToList();

        var doomed = KafkaBackupRetention.ToDelete(Backup("{enabled: true, maxAgeDays: 1}").Spec.Retention!, old, Now);

        Assert.Equal([old[0].Id, old[1].Id], doomed);
    }

    private async Task WriteAsync(IBackupStorage storage, string id, BackupOwner? owner, bool complete = true)
    {
        if (owner is not null) await BackupOwnerStore.WriteAsync(storage, owner, CancellationToken.None);
        if (complete)
        {
            await RestoreKit.WriteBackupAsync(storage, id,
                new Dictionary<(string, int), IReadOnlyList<KafkaRestored.Restore.Backups.Kbak.BackupRecord>> { [("orders", 0)] = [RestoreKit.Record(0, 1, "k", "v")] },
                new Dictionary<string, int> { ["orders"] = 1 });
        }
        else
        {
            await storage.WriteAsync($"{id}/topics/orders/partition=0/segment-00000000000000000000.bin.zst", new MemoryStream([1, 2, 3]), CancellationToken.None);
        }
    }

    private static BackupOwner Owner(string id, string ns = "team-a", string name = "nightly") =>
        new(ResourceKinds.KafkaBackup, ns, name, id, 0);

    private List<string> Folders() => [.. Directory.GetDirectories(_dir.Path).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Only_backups_with_this_resources_pattern_and_owner_file_are_deleted_and_the_status_lists_them()
    {
        var storage = new FilesystemBackupStorage(_dir.Path);
        // Own: three complete daily backups and an older incomplete one.
        foreach (var day in new[] { 4, 5, 6 }) await WriteAsync(storage, $"nightly-2026120{day}-020000", Owner($"nightly-2026120{day}-020000"));
        await WriteAsync(storage, "nightly-20261203-020000", Owner("nightly-20261203-020000"), complete: false);
        // Not own, all older: no owner file; another namespace's; another name's (with a longer name sharing the prefix); not the pattern.
        await WriteAsync(storage, "nightly-20261201-020000", owner: null);
        await WriteAsync(storage, "nightly-20261202-020000", Owner("nightly-20261202-020000", ns: "team-b"));
        await WriteAsync(storage, "nightly-eu-20261201-020000", Owner("nightly-eu-20261201-020000", name: "nightly-eu"));
        await WriteAsync(storage, "nightly-manual", Owner("nightly-manual"));

        var status = await KafkaBackupRetention.ApplyAsync(Backup("{enabled: true, keepLast: 1}"), storage, Now, new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.Equal(["nightly-20261204-020000", "nightly-20261205-020000", "nightly-20261203-020000"], status.Deleted);
        Assert.Equal(["nightly-20261206-020000"], status.Kept);
        Assert.Equal(
            ["nightly-20261201-020000", "nightly-20261202-020000", "nightly-20261206-020000", "nightly-eu-20261201-020000", "nightly-manual"],
            Folders());
    }

    [Fact]
    public async Task A_dry_run_deletes_nothing_and_lists_what_it_would_delete()
    {
        var storage = new FilesystemBackupStorage(_dir.Path);
        foreach (var day in new[] { 4, 5, 6 }) await WriteAsync(storage, $"nightly-2026120{day}-020000", Owner($"nightly-2026120{day}-020000"));

        var status = await KafkaBackupRetention.ApplyAsync(Backup("{enabled: true, keepLast: 1, dryRun: true}"), storage, Now, Now, CancellationToken.None);

        Assert.True(status.DryRun);
        Assert.Equal(["nightly-20261204-020000", "nightly-20261205-020000"], status.Deleted);
        Assert.Equal(3, Folders().Count);
    }

    [Fact]
    public async Task Deleting_a_backup_from_a_folder_removes_its_files_and_folders_only()
    {
        await Tests.Storage.StorageDeletion.DeletesOneBackupAndNothingElseAsync(new FilesystemBackupStorage(_dir.Path));
        Assert.Equal(["nightly-10", "nightly-2"], Folders());
    }
}
