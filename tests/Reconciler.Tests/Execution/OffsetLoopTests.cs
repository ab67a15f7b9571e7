using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Tests.Status;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using YamlDotNet.RepresentationModel;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The reconciler running consumer-offset work end to end: offset snapshots, resets and rollbacks, alone and after a restore.</summary>
public sealed class OffsetLoopTests : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int RecordsPerPartition = 50;
    private readonly KafkaFixture _kafka;
    private readonly GitRemote _remote = new();
    private readonly OrdersBackup _orders;
    private readonly string _backups;

    public OffsetLoopTests(KafkaFixture kafka)
    {
        _kafka = kafka;
        _orders = new OrdersBackup(_remote.Scratch("backups"), Partitions, RecordsPerPartition);
        _backups = _orders.Directory;
    }

    public void Dispose() => _remote.Dispose();

    private ReconcilerOptions Options() => LoopDaemon.Options(_remote);

    private string RestoreYaml(string name, string target, string extra = "", string annotations = "", string? bootstrap = null) =>
        _orders.RestoreYaml(name, target, bootstrap ?? _kafka.Broker.BootstrapServers, extra, annotations);

    private string Servers => _kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal);

    /// <summary>A new two-partition topic holding <paramref name="records"/> records, alternating partitions.</summary>
    private string TwoPartitionTopic(string prefix, int records)
    {
        var topic = _kafka.Broker.CreateUniqueTopic(prefix, 2);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = _kafka.Broker.BootstrapServers }).Build();
        for (var i = 0; i < records; i++) producer.Produce(new TopicPartition(topic, i % 2), new Message<byte[]?, byte[]?> { Value = [(byte)i] });
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        return topic;
    }

    /// <summary>Commits offsets/skip.yaml: a latest reset of <paramref name="group"/> on <paramref name="topic"/>, snapshotting first.</summary>
    private void CommitSkipToEnd(string message, string group, string topic, string snapshotId) =>
        _remote.HumanCommit(message, new Dictionary<string, string?>
        {
            ["offsets/skip.yaml"] = $"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaOffsetReset
                metadata: {"{"}name: skip, namespace: kafka-backup{"}"}
                spec:
                  kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
                  consumerGroups: [{group}]
                  topics: [{topic}]
                  strategy: latest
                  snapshotBeforeReset: {"{"}enabled: true, snapshotId: {snapshotId}{"}"}

                """,
        });

    /// <summary>Commits offsets/undo.yaml: the rollback of every group of <paramref name="snapshotId"/>.</summary>
    private void CommitRollback(string message, string snapshotId) =>
        _remote.HumanCommit(message, new Dictionary<string, string?>
        {
            ["offsets/undo.yaml"] = $"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaOffsetRollback
                metadata: {"{"}name: undo, namespace: kafka-backup{"}"}
                spec:
                  kafkaCluster: {"{"}bootstrapServers: [{Servers}]{"}"}
                  operation: rollback
                  snapshotId: {snapshotId}

                """,
        });

    [Fact]
    public async Task An_offset_snapshot_resource_records_its_snapshot_in_the_store_and_commits_it_under_snapshots()
    {
        _remote.HumanCommit("take a snapshot", new Dictionary<string, string?>
        {
            ["offsets/snap.yaml"] = $"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaOffsetRollback
                metadata:
                  name: snap
                  namespace: kafka-backup
                spec:
                  kafkaCluster:
                    bootstrapServers: [{_kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal)}]
                  operation: snapshot
                  snapshotId: before-drill
                  consumerGroups: [billing]

                """,
        });
        await using var daemon = new LoopDaemon(Options());
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = daemon.Store.Find(new ResourceId(ResourceKinds.KafkaOffsetRollback, "kafka-backup", "snap"))!;
        Assert.Equal(ResourcePhase.Completed, record.Phase);
        Assert.Equal(["billing"], ((KafkaOffsetRollbackStatus)record.Status).GroupsSnapshotted);
        Assert.NotNull(daemon.Store.FindSnapshot("before-drill"));
        Assert.Contains("before-drill", _remote.RemoteGit("show", "main:snapshots/before-drill.yaml"));
        var status = _remote.RemoteGit("show", "main:status/kafkaoffsetrollback/kafka-backup/snap.yaml");
        Assert.Contains("groupsSnapshotted:", status);
        // The same reason the `offsets` CLI prints for the same file.
        Assert.Contains("reason: " + OffsetStatusMapping.SnapshotTakenReason, status);
    }

    [Fact]
    public async Task A_restore_with_rollback_and_headerBased_reset_snapshots_first_resets_after_and_reports_each_group_in_status_and_git()
    {
        var target = _kafka.Broker.CreateUniqueTopic("restored-orders", Partitions);
        var known = "known-" + Guid.NewGuid().ToString("N")[..8];
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..8];
        var snapshotId = "pre-" + Guid.NewGuid().ToString("N")[..8];
        // Source positions: at a record (10), another (25), past the last restored record (60 > 49).
        await ConsumerGroupSnapshotStore.WriteAsync(new FilesystemBackupStorage(_backups), "backup-1", new ConsumerGroupSnapshot(1_700_000_000_000,
            [new GroupOffsets(known, new Dictionary<string, IReadOnlyDictionary<string, long>>
            {
                ["orders"] = new Dictionary<string, long> { ["0"] = 10, ["1"] = 25, ["2"] = 60 },
            })]), CancellationToken.None);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka.Broker.BootstrapServers }).Build();
        // What the group had committed on the target before the restore: the snapshot must hold this.
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(known, [new TopicPartitionOffset(target, 0, 0)])]);
        _remote.HumanCommit("restore with offsets", new Dictionary<string, string?>
        {
            ["restores/with-offsets.yaml"] = RestoreYaml("with-offsets", target, $"""

                  includeOriginalOffsetHeader: true
                  offsetReset:
                    enabled: true
                    strategy: headerBased
                    consumerGroups: [{known}, {missing}]
                  rollback:
                    enabled: true
                    snapshotId: {snapshotId}
                """),
        });
        await using var daemon = new LoopDaemon(Options());

        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var record = daemon.Record("with-offsets");
        Assert.Equal(ResourcePhase.Completed, record.Phase);
        var status = (KafkaRestoreStatus)record.Status;
        Assert.Equal(snapshotId, status.RollbackSnapshotId);
        Assert.Equal(ResourcePhase.Failed, status.OffsetResetStatus!.Phase);
        Assert.Equal([known], status.OffsetResetStatus.GroupsReset);
        var failure = Assert.Single(status.OffsetResetStatus.GroupsFailed);
        Assert.Equal((missing, "GroupNotInBackupSnapshot"), (failure.Group, failure.Reason));
        Assert.Contains($"'{missing}'", failure.Message, StringComparison.Ordinal);
        // The data is restored (Completed, not retried), but the Ready reason says a group was left behind.
        var ready = Conditions.Find(status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal((ConditionStatus.True, "OffsetResetIncomplete"), (ready.Status, ready.Reason));
        Assert.Contains($"consumer group(s) {missing} were not reset", ready.Message, StringComparison.Ordinal);
        Assert.Matches($@"^kafka-backup/with-offsets: Running -> Completed \({RecordsPerPartition * Partitions} records, offsets of 1 group not reset, \d+s\)$",
            _remote.RemoteGit("log", "-1", "--format=%s", "main", "--", "status/kafkarestore/kafka-backup/with-offsets.yaml").Trim());

        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(known,
            [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(target, p))])]);
        Assert.Equal([10L, 25L, RecordsPerPartition], committed.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));
        var untouched = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(missing,
            [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(target, p))])]);
        Assert.All(untouched.Single().Partitions, p => Assert.True(p.Offset.Value < 0));

        // The snapshot holds the offsets from before the restore, in LiteDB and in Git.
        var snapshot = daemon.Store.FindSnapshot(snapshotId)!;
        Assert.Equal(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "with-offsets"), snapshot.Source);
        Assert.Equal([new PartitionOffset(target, 0, 0)], snapshot.OffsetsOf(known));
        Assert.Empty(snapshot.OffsetsOf(missing));
        // The Git copy read with a plain YAML parser, against what the test set up (not the product's renderer).
        var pushed = _remote.RemoteGit("show", $"main:snapshots/{snapshotId}.yaml");
        Assert.StartsWith("# Committed consumer-group offsets recorded by kafka-restored.", pushed, StringComparison.Ordinal);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(pushed));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        Assert.Equal(("snapshots.kafka-restored/v1", "OffsetSnapshot", snapshotId), (root["apiVersion"].ToString(), root["kind"].ToString(), root["snapshotId"].ToString()));
        var source = (YamlMappingNode)root["source"];
        Assert.Equal(("KafkaRestore", "kafka-backup", "with-offsets"), (source["kind"].ToString(), source["namespace"].ToString(), source["name"].ToString()));
        var groups = (YamlMappingNode)root["groups"];
        var knownOffsets = (YamlMappingNode)((YamlMappingNode)groups[known])[target];
        Assert.Equal([("0", "0")], knownOffsets.Children.Select(c => (c.Key.ToString(), c.Value.ToString())));
        Assert.True(!groups.Children.ContainsKey(missing) || ((YamlMappingNode)groups[missing]).Children.Count == 0, pushed);
        var file = _remote.RemoteGit("show", "main:status/kafkarestore/kafka-backup/with-offsets.yaml");
        Assert.Contains($"rollbackSnapshotId: {snapshotId}", file, StringComparison.Ordinal);
        Assert.Contains("offsetResetStatus:", file, StringComparison.Ordinal);
        Assert.Contains("reason: GroupNotInBackupSnapshot", file, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_offset_reset_with_a_snapshot_first_then_a_rollback_to_it_through_the_daemon_puts_the_offsets_back()
    {
        var topic = TwoPartitionTopic("daemon-reset", 12);
        var group = "daemon-" + Guid.NewGuid().ToString("N")[..8];
        var snapshotId = "before-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka.Broker.BootstrapServers }).Build();
        await admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group,
            [new TopicPartitionOffset(topic, 0, 2), new TopicPartitionOffset(topic, 1, 4)])]);
        async Task<long[]> Committed() => [.. (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group,
            [new TopicPartition(topic, 0), new TopicPartition(topic, 1)])])).Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value)];
        CommitSkipToEnd("skip to the end", group, topic, snapshotId);
        await using var daemon = new LoopDaemon(Options());
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var afterReset = await Committed();
        Assert.Equal([6L, 6L], afterReset);
        var reset = (KafkaOffsetResetStatus)daemon.Store.Find(new ResourceId(ResourceKinds.KafkaOffsetReset, "kafka-backup", "skip"))!.Status;
        Assert.Equal(ResourcePhase.Completed, reset.Phase);
        Assert.Equal([group], reset.GroupsReset);
        Assert.Equal(snapshotId, reset.SnapshotId);
        Assert.Equal([new PartitionOffset(topic, 0, 2), new PartitionOffset(topic, 1, 4)], daemon.Store.FindSnapshot(snapshotId)!.OffsetsOf(group));
        Assert.Contains($"  {group}:\n    {topic}:\n      0: 2\n      1: 4\n", _remote.RemoteGit("show", $"main:snapshots/{snapshotId}.yaml"), StringComparison.Ordinal);
        Assert.Contains($"snapshotId: {snapshotId}", _remote.RemoteGit("show", "main:status/kafkaoffsetreset/kafka-backup/skip.yaml"), StringComparison.Ordinal);

        CommitRollback("undo the skip", snapshotId);
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        var afterRollback = await Committed();
        Assert.Equal([2L, 4L], afterRollback);
        var undo = (KafkaOffsetRollbackStatus)daemon.Store.Find(new ResourceId(ResourceKinds.KafkaOffsetRollback, "kafka-backup", "undo"))!.Status;
        Assert.Equal(ResourcePhase.Completed, undo.Phase);
        Assert.Equal([group], undo.GroupsRolledBack);
        Assert.True(undo.Verification!.Verified);
        Assert.Contains("verified: true", _remote.RemoteGit("show", "main:status/kafkaoffsetrollback/kafka-backup/undo.yaml"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_rollback_of_a_group_that_had_no_offsets_fails_through_the_daemon_while_the_offsets_stay_reset()
    {
        // Issue #15 item 1: this used to end Completed, "verified: true", with the group still at the end offsets.
        var topic = TwoPartitionTopic("daemon-fresh", 8);
        var group = "fresh-" + Guid.NewGuid().ToString("N")[..8];
        var snapshotId = "fresh-" + Guid.NewGuid().ToString("N")[..8];
        CommitSkipToEnd("skip a new group to the end", group, topic, snapshotId);
        await using var daemon = new LoopDaemon(Options());
        Assert.True(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));
        var reset = (KafkaOffsetResetStatus)daemon.Store.Find(new ResourceId(ResourceKinds.KafkaOffsetReset, "kafka-backup", "skip"))!.Status;
        Assert.Equal(ResourcePhase.Completed, reset.Phase);
        Assert.True(reset.Verification!.Verified);
        Assert.Empty(daemon.Store.FindSnapshot(snapshotId)!.OffsetsOf(group));

        CommitRollback("undo the skip", snapshotId);
        // False: a resource touched by the run ended Failed (and, not retryable, after one attempt).
        Assert.False(await daemon.Loop.RunUntilIdleAsync(CancellationToken.None));

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _kafka.Broker.BootstrapServers }).Build();
        var committed = (await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group,
            [new TopicPartition(topic, 0), new TopicPartition(topic, 1)])])).Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value);
        Assert.Equal([4L, 4L], committed);
        var record = daemon.Store.Find(new ResourceId(ResourceKinds.KafkaOffsetRollback, "kafka-backup", "undo"))!;
        Assert.Equal(ResourcePhase.Failed, record.Phase);
        Assert.Equal(1, record.Status.Attempts);
        var undo = (KafkaOffsetRollbackStatus)record.Status;
        Assert.Empty(undo.GroupsRolledBack);
        Assert.False(undo.Verification!.Verified);
        Assert.Equal([new OffsetMismatch(group, topic, 0, null, 4), new OffsetMismatch(group, topic, 1, null, 4)], undo.Verification.Mismatches);
        var ready = Conditions.Find(undo.Conditions, ConditionTypes.Ready)!;
        Assert.Equal((ConditionStatus.False, "OffsetDeleteUnsupported"), (ready.Status, ready.Reason));
        var file = _remote.RemoteGit("show", "main:status/kafkaoffsetrollback/kafka-backup/undo.yaml");
        Assert.Contains("verified: false", file, StringComparison.Ordinal);
        Assert.DoesNotContain("verified: true", file, StringComparison.Ordinal);
        Assert.Contains("reason: OffsetDeleteUnsupported", file, StringComparison.Ordinal);
        Assert.Contains($"{topic}[0], {topic}[1]", file, StringComparison.Ordinal);
        Assert.Matches(@"^kafka-backup/undo: \S+ -> Failed \(OffsetDeleteUnsupported",
            _remote.RemoteGit("log", "-1", "--format=%s", "main", "--", "status/kafkaoffsetrollback/kafka-backup/undo.yaml").Trim());
    }
}
