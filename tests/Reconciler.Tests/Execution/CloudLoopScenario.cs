using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Reconciler.Tests.Reliability;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// The reconcile loop against one cloud store: a restore from an allowed location lands every record once
/// and resets a group from the consumer-group snapshot in that store; one from another location is
/// PolicyDenied unattempted with nothing written.
/// </summary>
internal static class CloudLoopScenario
{
    private const int Partitions = 3;
    private const int PerPartition = 50;

    /// <summary>What differs between stores: the storage to seed, the YAML storage blocks and the policy.</summary>
    public sealed record Store(IBackupStorage Storage, string AllowedYaml, string OtherYaml, PolicyEntry Policy, string DeniedLocation, string PolicyList);

    public static async Task RunAsync(KafkaFixture kafka, GitRemote remote, string secrets, string name, Store store)
    {
        var records = FaultRig.Records("orders", Partitions, PerPartition);
        await FaultRig.WriteBackupAsync(store.Storage, "backup-1", "orders", Partitions, records, segmentRecords: 20);
        var group = name + "-" + Guid.NewGuid().ToString("N")[..8];
        await ConsumerGroupSnapshotStore.WriteAsync(store.Storage, "backup-1", new ConsumerGroupSnapshot(1_700_000_000_000,
            [new GroupOffsets(group, new Dictionary<string, IReadOnlyDictionary<string, long>> { ["orders"] = new Dictionary<string, long> { ["0"] = 10, ["1"] = 25, ["2"] = 60 } })]),
            CancellationToken.None);
        var target = kafka.Broker.CreateUniqueTopic(name + "-orders", Partitions);
        var deniedTarget = kafka.Broker.CreateUniqueTopic(name + "-denied", Partitions);
        remote.HumanCommit("restore from " + name, new Dictionary<string, string?>
        {
            [$"restores/{name}.yaml"] = FaultRig.RestoreYaml(name, "backup-1", "orders", target, kafka.Broker.BootstrapServers, store.AllowedYaml, backoffLimit: 1)
                + "  includeOriginalOffsetHeader: true\n  offsetReset:\n    enabled: true\n    strategy: headerBased\n    consumerGroups: [" + group + "]\n",
            [$"restores/{name}-other.yaml"] = FaultRig.RestoreYaml(name + "-other", "backup-1", "orders", deniedTarget, kafka.Broker.BootstrapServers, store.OtherYaml, backoffLimit: 1),
        });
        var options = LoopDaemon.Options(remote);
        options.SecretsDirectory = secrets;
        options.Policy = new Dictionary<string, PolicyEntry> { ["kafka-backup"] = store.Policy };
        await using var daemon = new LoopDaemon(options);

        await daemon.Loop.RunUntilIdleAsync(CancellationToken.None);

        var record = daemon.Record(name);
        Assert.True(record.Phase == ResourcePhase.Completed, $"{record.Phase}: {Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)?.Message}");
        FaultRig.AssertExactlyOnce(kafka.Broker.BootstrapServers, target, Partitions, records, "orders");
        var reset = ((KafkaRestoreStatus)record.Status).OffsetResetStatus!;
        Assert.Equal([group], reset.GroupsReset);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build();
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group,
            [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(target, p))])]);
        Assert.Equal([10L, 25L, PerPartition], committed.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));

        var denied = daemon.Record(name + "-other");
        Assert.Equal(ResourcePhase.Failed, denied.Phase);
        Assert.Equal(0, denied.Attempts);
        var ready = Conditions.Find(denied.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.PolicyDenied, ready.Reason);
        Assert.Contains(store.DeniedLocation, ready.Message, StringComparison.Ordinal);
        Assert.Contains($"Policy:kafka-backup:{store.PolicyList}", ready.Message, StringComparison.Ordinal);
        Assert.Empty(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, deniedTarget, Partitions));
    }
}
