using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>
/// The README's rollback scenario (issue #15 item 1): a reset with snapshotBeforeReset for a group
/// that had no committed offsets, then a rollback to that snapshot. The group is back only when
/// its offsets are gone again; "verified" means read back equal to the snapshot exactly.
/// </summary>
public sealed class RollbackToNoOffsetsTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private static KafkaOffsetReset SkipToEnd(OffsetTestKit kit, string topic, string group, string snapshotId) =>
        new(new ObjectMeta("skip-" + snapshotId, "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetResetSpec(kit.Cluster, new ValueList<string>([group]), new ValueList<string>([topic]), OffsetResetStrategy.Latest,
                null, null, null, null, null, ValueMap.Empty, new SnapshotBeforeResetSpec(true, snapshotId)));

    private static KafkaOffsetRollback Undo(OffsetTestKit kit, string snapshotId) =>
        new(new ObjectMeta("undo-" + snapshotId, "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetRollbackSpec(kit.Cluster, RollbackOperation.Rollback, snapshotId, ValueList<string>.Empty));

    /// <summary>Reset to the end (3 partitions of 5 records) with a snapshot first, of a group with no commits; returns the rollback's result.</summary>
    private async Task<OffsetRollbackResult> ResetThenRollBackAsync(OffsetTestKit kit, string topic, string group)
    {
        var store = new FileOffsetSnapshotStore(_dir.Combine("snapshots"));
        var snapshotId = Unique("before");
        var reset = await new KafkaOffsetResetExecutor(new SecretStore(null), store) { Timeout = TimeSpan.FromSeconds(10) }
            .ExecuteAsync(SkipToEnd(kit, topic, group, snapshotId).Spec, SkipToEnd(kit, topic, group, snapshotId).Id, CancellationToken.None);
        Assert.True(reset.Succeeded);
        Assert.Empty(store.Get(snapshotId)!.OffsetsOf(group));
        Assert.Equal([5L, 5L, 5L], await kit.CommittedAsync(group, topic, 3));
        var undo = Undo(kit, snapshotId);
        return await new KafkaOffsetRollbackExecutor(new SecretStore(null), store) { Timeout = TimeSpan.FromSeconds(10) }
            .ExecuteAsync(undo.Spec, undo.Id, CancellationToken.None);
    }

    [Fact]
    public async Task When_the_broker_cannot_delete_offsets_the_rollback_fails_naming_each_partition_instead_of_claiming_success()
    {
        using var kit = new OffsetTestKit(kafka.Broker.BootstrapServers);
        var topic = kafka.Broker.CreateUniqueTopic("readme-undo", 3);
        for (var p = 0; p < 3; p++) kit.Produce(topic, p, 5);
        var group = Unique("fresh");

        var result = await ResetThenRollBackAsync(kit, topic, group);

        Assert.False(result.Succeeded);
        Assert.Empty(result.GroupsRolledBack);
        var failure = Assert.Single(result.GroupsFailed);
        Assert.Equal((group, "OffsetDeleteUnsupported"), (failure.Group, failure.Reason));
        Assert.Contains($"{topic}[0], {topic}[1], {topic}[2]", failure.Message, StringComparison.Ordinal);
        Assert.Contains("OffsetDelete", failure.Message, StringComparison.Ordinal);
        Assert.Contains($"--delete-offsets --group {group} --topic {topic}:0,1,2", failure.Message, StringComparison.Ordinal);
        Assert.Same(FailureReason.OffsetDeleteUnsupported, OffsetStatusMapping.Failure(result));
        Assert.False(FailureReason.OffsetDeleteUnsupported.Retryable);

        var status = OffsetStatusMapping.ToStatus(result);
        Assert.Equal(ResourcePhase.Failed, status.Phase);
        Assert.False(status.Verification!.Verified);
        Assert.Equal([.. Enumerable.Range(0, 3).Select(p => new OffsetMismatch(group, topic, p, null, 5))], status.Verification.Mismatches);
        var (reason, message) = OffsetStatusMapping.Ready(result);
        Assert.Equal("OffsetDeleteUnsupported", reason);
        Assert.Contains($"{topic}[0]", message, StringComparison.Ordinal);
        // Nothing was changed that the status does not say: the group still sits at the reset offsets.
        Assert.Equal([5L, 5L, 5L], await kit.CommittedAsync(group, topic, 3));
    }

    [Fact]
    public async Task A_group_with_nothing_to_delete_is_verified_so_the_failure_above_is_about_the_new_offsets()
    {
        // Positive control: the same snapshot of a group with no commits, but no reset in between.
        using var kit = new OffsetTestKit(kafka.Broker.BootstrapServers);
        var topic = kafka.Broker.CreateUniqueTopic("readme-noop", 3);
        var group = Unique("idle");
        var snapshotId = Unique("idle");
        var store = new FileOffsetSnapshotStore(_dir.Combine("snapshots"));
        var snap = new KafkaOffsetRollback(new ObjectMeta("snap-" + snapshotId, "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetRollbackSpec(kit.Cluster, RollbackOperation.Snapshot, snapshotId, new ValueList<string>([group])));
        var executor = new KafkaOffsetRollbackExecutor(new SecretStore(null), store) { Timeout = TimeSpan.FromSeconds(10) };
        await executor.ExecuteAsync(snap.Spec, snap.Id, CancellationToken.None);

        var result = await executor.ExecuteAsync(Undo(kit, snapshotId).Spec, Undo(kit, snapshotId).Id, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal([group], result.GroupsRolledBack);
        Assert.True(OffsetStatusMapping.ToStatus(result).Verification!.Verified);
        Assert.Equal([null, null, null], await kit.CommittedAsync(group, topic, 3));
    }

    [Fact]
    public void The_brokers_ApiVersions_answers_are_read_and_the_test_broker_does_not_list_OffsetDelete()
    {
        // What decides whether OffsetDelete is sent: the mock's real answers, read through librdkafka's log.
        var topic = kafka.Broker.CreateUniqueTopic("apiversions", 1);
        using var client = new KafkaOffsetsClient(new OffsetTestKit(kafka.Broker.BootstrapServers).Cluster, new SecretStore(null), TimeSpan.FromSeconds(10));
        client.Partitions(topic);

        // librdkafka logs on its own threads: allow the lines a moment to arrive.
        IReadOnlyList<string> lacking = [];
        for (var i = 0; i < 100 && lacking.Count == 0; i++)
        {
            Assert.False(client.CanDeleteOffsets(out lacking));
            if (lacking.Count == 0) Thread.Sleep(100);
        }
        Assert.NotEmpty(lacking);
        Assert.All(lacking, b => Assert.Contains("127.0.0.1:", b, StringComparison.Ordinal));

        // Positive control: the same reader accepts a broker that lists OffsetDelete (47).
        var support = new BrokerApiSupport();
        support.Note("APIVERSION", "[thrd:kafka-0:9092/0]: kafka-0:9092/0: Broker API support:");
        Assert.False(support.Supports(BrokerApiSupport.OffsetDelete, out _));
        support.Note("APIVERSION", "[thrd:kafka-0:9092/0]: kafka-0:9092/0:   ApiKey OffsetDelete (47) Versions 0..0");
        Assert.True(support.Supports(BrokerApiSupport.OffsetDelete, out var none));
        Assert.Empty(none);
    }

    [RealKafkaFact("the mock does not serve OffsetDelete (ApiKey 47), and librdkafka aborts the process after asking it")]
    public async Task On_a_real_cluster_the_rollback_deletes_the_offsets_the_snapshot_did_not_have_and_is_verified()
    {
        using var kit = new OffsetTestKit(RealKafkaFactAttribute.Bootstrap!);
        var topic = "kr-offsets-undo-" + Guid.NewGuid().ToString("N")[..8];
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kit.Bootstrap }).Build())
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 3, ReplicationFactor = -1 }]);
        for (var p = 0; p < 3; p++) kit.Produce(topic, p, 5);
        var group = Unique("fresh-real");

        var result = await ResetThenRollBackAsync(kit, topic, group);

        Assert.True(result.Succeeded, string.Join("; ", result.GroupsFailed.Select(f => f.Message)));
        Assert.Equal([group], result.GroupsRolledBack);
        Assert.True(OffsetStatusMapping.ToStatus(result).Verification!.Verified);
        Assert.Equal([null, null, null], await kit.CommittedAsync(group, topic, 3));
    }

    [RealKafkaFact("the mock serves neither DescribeConsumerGroups nor OffsetDelete, so a live member's refusal cannot happen")]
    public async Task On_a_real_cluster_a_group_with_a_live_member_is_refused_by_name_and_keeps_its_offsets()
    {
        using var kit = new OffsetTestKit(RealKafkaFactAttribute.Bootstrap!);
        var topic = "kr-offsets-live-" + Guid.NewGuid().ToString("N")[..8];
        kit.Produce(topic, 0, 5);
        var group = Unique("live-real");
        var snapshotId = Unique("live");
        var store = new FileOffsetSnapshotStore(_dir.Combine("snapshots"));
        var executor = new KafkaOffsetRollbackExecutor(new SecretStore(null), store) { Timeout = TimeSpan.FromSeconds(10) };
        var snap = new KafkaOffsetRollback(new ObjectMeta("snap-" + snapshotId, "default", ValueMap.Empty, ValueMap.Empty),
            new KafkaOffsetRollbackSpec(kit.Cluster, RollbackOperation.Snapshot, snapshotId, new ValueList<string>([group])));
        await executor.ExecuteAsync(snap.Spec, snap.Id, CancellationToken.None);
        await kit.CommitAsync(group, (topic, 0, 4));
        using var member = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kit.Bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        member.Subscribe(topic);
        for (var i = 0; i < 100 && member.Assignment.Count == 0; i++) member.Consume(TimeSpan.FromMilliseconds(100));
        Assert.NotEmpty(member.Assignment);

        var result = await executor.ExecuteAsync(Undo(kit, snapshotId).Spec, Undo(kit, snapshotId).Id, CancellationToken.None);
        member.Close();

        var failure = Assert.Single(result.GroupsFailed);
        Assert.Equal((group, "GroupHasActiveMembers"), (failure.Group, failure.Reason));
        Assert.Contains("active member", failure.Message, StringComparison.Ordinal);
        Assert.False(OffsetStatusMapping.ToStatus(result).Verification!.Verified);
        Assert.Equal([4L], await kit.CommittedAsync(group, topic, 1));
    }
}
