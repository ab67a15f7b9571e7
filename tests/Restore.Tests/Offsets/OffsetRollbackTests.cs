using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>KafkaOffsetRollback (SPEC 3.2): snapshot, rollback, verification by read-back.</summary>
public sealed class OffsetRollbackTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly OffsetTestKit _kit = new(kafka.Broker.BootstrapServers);
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _kit.Dispose();
        _dir.Dispose();
    }

    private FileOffsetSnapshotStore Store => new(_dir.Combine("snapshots"));

    private KafkaOffsetRollbackExecutor Executor(Func<string, CancellationToken, Task>? hook = null) =>
        new(new SecretStore(null), Store) { BeforeReadBack = hook, Timeout = TimeSpan.FromSeconds(10) };

    private KafkaOffsetRollback Rollback(RollbackOperation operation, string snapshotId, params string[] groups) =>
        new(new ObjectMeta("rb-" + snapshotId, "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetRollbackSpec(_kit.Cluster, operation, snapshotId, new ValueList<string>(groups)));

    private static string Group(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    private static string Id(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private string TopicWithData()
    {
        var topic = kafka.Broker.CreateUniqueTopic("rollback", 3);
        for (var p = 0; p < 3; p++) _kit.Produce(topic, p, 10 + p);
        return topic;
    }

    [Fact]
    public async Task Snapshot_then_reset_then_rollback_restores_the_original_offsets_exactly_and_fails_a_group_whose_new_offset_cannot_be_deleted()
    {
        var topic = TopicWithData();
        var a = Group("a");
        var b = Group("b");
        await _kit.CommitAsync(a, (topic, 0, 3), (topic, 1, 4), (topic, 2, 5));
        await _kit.CommitAsync(b, (topic, 0, 9), (topic, 2, 1));
        var id = Id("pre");

        var snap = await Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, a, b), CancellationToken.None);
        Assert.Equal([a, b], snap.GroupsSnapshotted.Order());
        Assert.True(snap.Succeeded);

        var reset = await new OffsetResetter(_kit.Cluster, new SecretStore(null)).ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Latest,
            Groups = [a, b],
            Topics = [topic],
        }, CancellationToken.None);
        Assert.True(reset.Succeeded);
        Assert.Equal([10L, 11L, 12L], await _kit.CommittedAsync(a, topic, 3));

        var rolledBack = await Executor().ExecuteAsync(Rollback(RollbackOperation.Rollback, id), CancellationToken.None);

        Assert.Equal([a], rolledBack.GroupsRolledBack);
        Assert.True(rolledBack.Verification.Single(v => v.Group == a).Matches);
        Assert.Equal([3L, 4L, 5L], await _kit.CommittedAsync(a, topic, 3));
        // Group b had nothing committed on partition 1 before the reset: taking that offset back
        // needs OffsetDelete, which the test broker does not serve, so b is not back at its
        // snapshot and the result says so instead of claiming success.
        Assert.Equal([9L, 11L, 1L], await _kit.CommittedAsync(b, topic, 3));
        Assert.False(rolledBack.Succeeded);
        var failure = Assert.Single(rolledBack.GroupsFailed);
        Assert.Equal((b, "OffsetDeleteUnsupported"), (failure.Group, failure.Reason));
        Assert.Contains($"{topic}[1]", failure.Message);
        Assert.Equal([new PartitionMismatch(topic, 1, null, 11)], rolledBack.Verification.Single(v => v.Group == b).Mismatches);
    }

    [Fact]
    public async Task Rollback_of_a_subset_touches_only_the_listed_groups()
    {
        var topic = TopicWithData();
        var a = Group("a");
        var b = Group("b");
        await _kit.CommitAsync(a, (topic, 0, 1));
        await _kit.CommitAsync(b, (topic, 0, 2));
        var id = Id("subset");
        await Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, a, b), CancellationToken.None);
        await _kit.CommitAsync(a, (topic, 0, 8));
        await _kit.CommitAsync(b, (topic, 0, 8));

        var result = await Executor().ExecuteAsync(Rollback(RollbackOperation.Rollback, id, b), CancellationToken.None);

        Assert.Equal([b], result.GroupsRolledBack);
        Assert.Equal(8L, (await _kit.CommittedAsync(a, topic, 3))[0]);
        Assert.Equal(2L, (await _kit.CommittedAsync(b, topic, 3))[0]);
    }

    [Fact]
    public async Task Verification_reports_a_mismatch_planted_between_commit_and_read_back()
    {
        var topic = TopicWithData();
        var group = Group("planted");
        await _kit.CommitAsync(group, (topic, 0, 3), (topic, 1, 4));
        var id = Id("plant");
        await Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, group), CancellationToken.None);

        var result = await Executor(async (g, _) => await _kit.CommitAsync(g, (topic, 1, 7)))
            .ExecuteAsync(Rollback(RollbackOperation.Rollback, id, group), CancellationToken.None);

        Assert.False(result.Succeeded);
        var verification = Assert.Single(result.Verification);
        Assert.False(verification.Matches);
        Assert.Equal([new PartitionMismatch(topic, 1, 4, 7)], verification.Mismatches);
        Assert.Equal("OffsetVerificationFailed", Assert.Single(result.GroupsFailed).Reason);
        Assert.Empty(result.GroupsRolledBack);

        var status = OffsetStatusMapping.ToStatus(result);
        Assert.Equal(ResourcePhase.Failed, status.Phase);
        Assert.False(status.Verification!.Verified);
        Assert.Equal([new OffsetMismatch(group, topic, 1, 4, 7)], status.Verification.Mismatches);
        Assert.Equal(OffsetStatusMapping.VerificationFailedReason, OffsetStatusMapping.Ready(result).Reason);
    }

    [Fact]
    public async Task A_group_not_in_the_snapshot_is_an_error_and_nothing_is_rolled_back()
    {
        var topic = TopicWithData();
        var group = Group("known");
        await _kit.CommitAsync(group, (topic, 0, 3));
        var id = Id("unknown");
        await Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, group), CancellationToken.None);
        await _kit.CommitAsync(group, (topic, 0, 6));

        var ex = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            Executor().ExecuteAsync(Rollback(RollbackOperation.Rollback, id, group, "stranger"), CancellationToken.None));

        Assert.Equal("GroupNotInSnapshot", ex.Reason);
        Assert.Contains("'stranger'", ex.Message);
        Assert.Contains(id, ex.Message);
        Assert.Equal(6L, (await _kit.CommittedAsync(group, topic, 3))[0]);
    }

    [Fact]
    public async Task A_missing_snapshot_and_a_reused_snapshot_id_are_errors()
    {
        var topic = TopicWithData();
        var group = Group("g");
        await _kit.CommitAsync(group, (topic, 0, 3));
        var missing = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            Executor().ExecuteAsync(Rollback(RollbackOperation.Rollback, "never-taken"), CancellationToken.None));
        Assert.Equal("SnapshotNotFound", missing.Reason);

        var id = Id("dup");
        await Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, group), CancellationToken.None);
        var dup = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, group), CancellationToken.None));
        Assert.Equal("SnapshotExists", dup.Reason);
    }

    [Fact]
    public async Task A_snapshot_records_every_committed_partition_of_the_groups_across_topics()
    {
        var t1 = TopicWithData();
        var t2 = TopicWithData();
        var group = Group("multi");
        var empty = Group("empty");
        await _kit.CommitAsync(group, (t1, 2, 5), (t2, 0, 1));
        var id = Id("multi");

        var result = await Executor().ExecuteAsync(Rollback(RollbackOperation.Snapshot, id, group, empty), CancellationToken.None);

        var snapshot = Store.Get(id)!;
        Assert.Equal([new PartitionOffset(t1, 2, 5), new PartitionOffset(t2, 0, 1)],
            snapshot.OffsetsOf(group).Where(o => o.Topic == t1 || o.Topic == t2).OrderBy(o => o.Topic == t1 ? 0 : 1));
        Assert.Empty(snapshot.OffsetsOf(empty));
        Assert.Contains(empty, snapshot.Groups);
        Assert.Contains(result.Notes, n => n.Contains($"'{empty}'"));
        Assert.Equal(new ResourceId(ResourceKinds.KafkaOffsetRollback, "default", "rb-" + id), snapshot.Source);
    }
}
