using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Tests.Engine;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>
/// The offset steps around a real restore engine run: rollback snapshot before writing, headerBased
/// reset with the restore's own offset maps after it, then rollback, then a standalone headerBased
/// reset that rebuilds the maps from the restored headers and lands on the same offsets.
/// </summary>
public sealed class RestoreThenResetTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private static readonly long BaseTs = OffsetTestKit.BaseTime.ToUnixTimeMilliseconds();
    private readonly TempDir _dir = new("kr-offsets");
    private readonly OffsetTestKit _kit = new(kafka.Broker.BootstrapServers);

    public void Dispose()
    {
        _kit.Dispose();
        _dir.Dispose();
    }

    private static List<BackupRecord> Records(int partition, IEnumerable<long> offsets) =>
        [.. offsets.Select(o => RestoreKit.Record(o, BaseTs + (o * 1000), $"k{o}", $"orders/{partition}/{o}"))];

    private static IEnumerable<long> Range(long from, long toInclusive)
    {
        for (var o = from; o <= toInclusive; o++) yield return o;
    }

    [Fact]
    public async Task HeaderBased_after_a_pitr_restore_with_gaps_and_renaming_then_rollback_then_header_scan_reset_agree()
    {
        var sourceTopic = "orders-" + Guid.NewGuid().ToString("N")[..6];
        var target = kafka.Broker.CreateUniqueTopic("restored-orders", 2);
        var backupId = "b-" + Guid.NewGuid().ToString("N")[..8];
        var storage = new FilesystemBackupStorage(_dir.Combine("backups"));
        Directory.CreateDirectory(_dir.Combine("backups"));

        // Source partition 0: offsets 10-14, a gap 15-19, then 20-29; partition 1: 0-9.
        // PITR at offset 24's timestamp cuts 25-29 from partition 0.
        await RestoreKit.WriteBackupAsync(storage, backupId,
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
            {
                [(sourceTopic, 0)] = Records(0, [.. Range(10, 14), .. Range(20, 29)]),
                [(sourceTopic, 1)] = Records(1, Range(0, 9)),
            },
            new Dictionary<string, int> { [sourceTopic] = 2 }, sourceClusterId: "prod-west",
            gaps: new Dictionary<(string, int), IReadOnlyList<BackupGap>> { [(sourceTopic, 0)] = [new BackupGap(15, 20, "retention", null)] });
        string[] groups = ["g-at", "g-gap", "g-beyond", "g-before"];
        groups = [.. groups.Select(g => $"{g}-{Guid.NewGuid():N}"[..20])];
        long[] sourceP0 = [12, 17, 27, 5];
        await ConsumerGroupSnapshotStore.WriteAsync(storage, backupId, new ConsumerGroupSnapshot(BaseTs,
            [.. groups.Select((g, i) => new GroupOffsets(g, new Dictionary<string, IReadOnlyDictionary<string, long>>
            {
                [sourceTopic] = new Dictionary<string, long> { ["0"] = sourceP0[i], ["1"] = 3 },
            }))]), CancellationToken.None);
        // Expected target offsets: at a record (12 → 2), in the gap (17 → 20 at 5), cut by PITR
        // (27 → end 10), before the first restored record (5 → 0); partition 1: 3 → 3.
        long?[][] expected = [[2, 3], [5, 3], [10, 3], [0, 3]];

        var restore = RestoreKit.Restore(backupId, kafka.Broker.BootstrapServers, RestoreKit.Filesystem(_dir.Combine("backups")), spec => spec with
        {
            TopicMapping = new ValueMap([new(sourceTopic, target)]),
            Pitr = new PitrSpec(true, null, BaseTs + (24 * 1000)),
            IncludeOriginalOffsetHeader = true,
            OffsetReset = new OffsetResetSpec(true, OffsetResetStrategy.HeaderBased, null, new ValueList<string>(groups), null, null),
            Rollback = new RollbackSpec(true, null),
        }, name: "orders-restore");
        var snapshots = new FileOffsetSnapshotStore(_dir.Combine("snapshots"));
        var secrets = new SecretStore(null);
        await _kit.CommitAsync(groups[0], (target, 0, 0), (target, 1, 0));

        var snapshot = await RestoreOffsets.SnapshotBeforeRestoreAsync(restore, [target], snapshots, secrets, TimeProvider.System, CancellationToken.None);
        Assert.Equal("orders-restore-pre-restore", snapshot!.Id);
        Assert.Equal([new PartitionOffset(target, 0, 0), new PartitionOffset(target, 1, 0)], snapshot.OffsetsOf(groups[0]));

        var state = new FileRestoreStateStore(_dir.Combine("state"));
        var restored = await EngineRuns.RunAsync(restore, new RestoreEnvironment(secrets, state, "default/orders-restore")
        {
            Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(5), TopicCreationTimeout = TimeSpan.FromSeconds(2) },
        }, null, CancellationToken.None);
        Assert.Equal(RestoreOutcome.Completed, restored.Outcome);
        Assert.Equal(20, restored.RestoredRecords);
        var maps = state.GetOffsetMaps("default/orders-restore");

        var withMaps = await RestoreOffsets.ResetAfterRestoreAsync(restore, maps, secrets, null, CancellationToken.None);
        Assert.NotNull(withMaps);
        Assert.Empty(withMaps.GroupsFailed);
        Assert.Equal(groups, withMaps.GroupsReset);
        for (var i = 0; i < groups.Length; i++) Assert.Equal(expected[i], await _kit.CommittedAsync(groups[i], target, 2));

        var rollback = await new KafkaOffsetRollbackExecutor(secrets, snapshots).ExecuteAsync(new KafkaOffsetRollback(
            new ObjectMeta("undo", "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetRollbackSpec(_kit.Cluster, RollbackOperation.Rollback, snapshot.Id, new ValueList<string>([groups[0]]))), CancellationToken.None);
        Assert.True(rollback.Succeeded);
        Assert.Equal([0L, 0L], await _kit.CommittedAsync(groups[0], target, 2));

        // Standalone reset long after the restore: no maps, so they are rebuilt from x-original-offset.
        var standalone = await new KafkaOffsetResetExecutor(secrets, snapshots).ExecuteAsync(new KafkaOffsetReset(
            new ObjectMeta("replay", "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetResetSpec(_kit.Cluster, new ValueList<string>(groups), ValueList<string>.Empty, OffsetResetStrategy.HeaderBased,
                null, null, "prod-west", backupId, RestoreKit.Filesystem(_dir.Combine("backups")),
                new ValueMap([new(sourceTopic, target)]), new SnapshotBeforeResetSpec(true, null))), CancellationToken.None);
        Assert.Empty(standalone.GroupsFailed);
        Assert.Equal("replay-pre-reset", standalone.SnapshotId);
        Assert.Equal([new PartitionOffset(target, 0, 0), new PartitionOffset(target, 1, 0)], snapshots.Get("replay-pre-reset")!.OffsetsOf(groups[0]));
        for (var i = 0; i < groups.Length; i++) Assert.Equal(expected[i], await _kit.CommittedAsync(groups[i], target, 2));
    }

    [Fact]
    public async Task A_restore_keeps_its_own_rollback_snapshot_on_a_retry_and_another_resource_cannot_reuse_the_id()
    {
        var sourceTopic = "orders-" + Guid.NewGuid().ToString("N")[..6];
        var target = kafka.Broker.CreateUniqueTopic("snap-once", 1);
        var backupId = "b-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(_dir.Combine("backups"));
        await RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(_dir.Combine("backups")), backupId,
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(sourceTopic, 0)] = Records(0, Range(0, 4)) },
            new Dictionary<string, int> { [sourceTopic] = 1 });
        var group = $"g-{Guid.NewGuid():N}"[..20];
        var id = $"pre-{Guid.NewGuid():N}"[..20];
        KafkaRestore Restore(string name) => RestoreKit.Restore(backupId, kafka.Broker.BootstrapServers, RestoreKit.Filesystem(_dir.Combine("backups")), spec => spec with
        {
            TopicMapping = new ValueMap([new(sourceTopic, target)]),
            OffsetReset = new OffsetResetSpec(true, OffsetResetStrategy.Latest, null, new ValueList<string>([group]), null, null),
            Rollback = new RollbackSpec(true, id),
        }, name: name);
        var store = new FileOffsetSnapshotStore(_dir.Combine("snapshots"));
        var secrets = new SecretStore(null);
        await _kit.CommitAsync(group, (target, 0, 3));

        Assert.Equal(id, await RestoreOffsets.SnapshotBeforeWritingAsync(Restore("first"), store, secrets, TimeProvider.System, CancellationToken.None));
        await _kit.CommitAsync(group, (target, 0, 7));
        // A retry or resume of the same restore keeps the offsets from before its first write.
        Assert.Equal(id, await RestoreOffsets.SnapshotBeforeWritingAsync(Restore("first"), store, secrets, TimeProvider.System, CancellationToken.None));
        Assert.Equal([new PartitionOffset(target, 0, 3)], store.Get(id)!.OffsetsOf(group));

        var reused = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            RestoreOffsets.SnapshotBeforeWritingAsync(Restore("second"), store, secrets, TimeProvider.System, CancellationToken.None));
        Assert.Equal("SnapshotExists", reused.Reason);
        Assert.Contains($"'{id}'", reused.Message);
        Assert.Contains("/first", reused.Message);
        Assert.Equal([new PartitionOffset(target, 0, 3)], store.Get(id)!.OffsetsOf(group));
    }

    [Fact]
    public async Task The_restore_steps_do_nothing_when_offsetReset_and_rollback_are_off()
    {
        var restore = RestoreKit.Restore("b", kafka.Broker.BootstrapServers, RestoreKit.Filesystem(_dir.Path));
        Assert.Null(await RestoreOffsets.SnapshotBeforeRestoreAsync(restore, ["t"], new FileOffsetSnapshotStore(_dir.Combine("s")),
            new SecretStore(null), TimeProvider.System, CancellationToken.None));
        Assert.Null(await RestoreOffsets.ResetAfterRestoreAsync(restore, [], new SecretStore(null), null, CancellationToken.None));
    }

    [Fact]
    public async Task HeaderBased_from_a_backup_without_a_consumer_group_snapshot_names_the_missing_file()
    {
        var storageDir = _dir.Combine("empty-backups");
        Directory.CreateDirectory(storageDir);
        var ex = await Assert.ThrowsAsync<KafkaRestoredException>(() => new KafkaOffsetResetExecutor(new SecretStore(null), new FileOffsetSnapshotStore(_dir.Combine("s")))
            .ExecuteAsync(new KafkaOffsetReset(new ObjectMeta("r", "default", ValueMap.Empty, ValueMap.Empty),
                new KafkaOffsetResetSpec(_kit.Cluster, new ValueList<string>(["g"]), ValueList<string>.Empty, OffsetResetStrategy.HeaderBased,
                    null, null, null, "nope", RestoreKit.Filesystem(storageDir), ValueMap.Empty, null)), CancellationToken.None));
        Assert.Equal("ConsumerGroupSnapshotNotFound", ex.Reason);
        Assert.Contains(Path.Combine(storageDir, "nope", "consumer-groups-snapshot.json"), ex.Message);
    }
}
