using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Reconciler.Tests.Reliability;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The reconcile loop restoring from Azurite under a policy naming the Azure location: records exactly once, a headerBased reset from the group snapshot in the container, and another container denied.</summary>
public sealed class AzureLoopTests(KafkaFixture kafka, AzuriteFixture azurite) : IClassFixture<KafkaFixture>, IClassFixture<AzuriteFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int PerPartition = 50;
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static string Storage(string container, string endpoint) => $"""
          storage:
            storageType: azure
            azure:
              container: {container}
              accountName: {AzuriteFixture.AccountName}
              prefix: dr
              endpoint: {endpoint}
              credentialsSecret:
                name: azure
        """;

    [Fact]
    public async Task A_restore_from_azure_lands_every_record_once_resets_a_group_from_the_snapshot_and_another_container_is_PolicyDenied()
    {
        var secrets = _remote.Scratch("secrets");
        AzuriteFixture.WriteSecret(secrets, "azure", "AZURE_STORAGE_KEY", AzuriteFixture.AccountKey);
        var container = await azurite.CreateContainerAsync();
        var storage = BackupStorageFactory.Create(new StorageSpec(StorageType.Azure, null, null,
            new AzureStorageSpec(container, AzuriteFixture.AccountName, "dr", azurite.Endpoint, new AzureAccountKeySecretRef("azure", "AZURE_STORAGE_KEY"), null)),
            new SecretStore(secrets));
        var records = FaultRig.Records("orders", Partitions, PerPartition);
        await FaultRig.WriteBackupAsync(storage, "backup-1", "orders", Partitions, records, segmentRecords: 20);
        var group = "az-" + Guid.NewGuid().ToString("N")[..8];
        await ConsumerGroupSnapshotStore.WriteAsync(storage, "backup-1", new ConsumerGroupSnapshot(1_700_000_000_000,
            [new GroupOffsets(group, new Dictionary<string, IReadOnlyDictionary<string, long>> { ["orders"] = new Dictionary<string, long> { ["0"] = 10, ["1"] = 25, ["2"] = 60 } })]),
            CancellationToken.None);
        var target = kafka.Broker.CreateUniqueTopic("az-orders", Partitions);
        var deniedTarget = kafka.Broker.CreateUniqueTopic("az-denied", Partitions);
        var other = await azurite.CreateContainerAsync("other");
        _remote.HumanCommit("restore from azure", new Dictionary<string, string?>
        {
            ["restores/az.yaml"] = FaultRig.RestoreYaml("az", "backup-1", "orders", target, kafka.Broker.BootstrapServers, Storage(container, azurite.Endpoint), backoffLimit: 1)
                + "  includeOriginalOffsetHeader: true\n  offsetReset:\n    enabled: true\n    strategy: headerBased\n    consumerGroups: [" + group + "]\n",
            ["restores/az-other.yaml"] = FaultRig.RestoreYaml("az-other", "backup-1", "orders", deniedTarget, kafka.Broker.BootstrapServers, Storage(other, azurite.Endpoint), backoffLimit: 1),
        });
        var options = LoopDaemon.Options(_remote);
        options.SecretsDirectory = secrets;
        options.Policy = new Dictionary<string, PolicyEntry>
        {
            ["kafka-backup"] = new() { Clusters = ["*"], Secrets = ["azure"], Azure = [$"{azurite.Endpoint}/{AzuriteFixture.AccountName}/{container}/dr"] },
        };
        await using var daemon = new LoopDaemon(options);

        await daemon.Loop.RunUntilIdleAsync(CancellationToken.None);

        var record = daemon.Record("az");
        Assert.True(record.Phase == ResourcePhase.Completed, $"{record.Phase}: {Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)?.Message}");
        FaultRig.AssertExactlyOnce(kafka.Broker.BootstrapServers, target, Partitions, records, "orders");
        var reset = ((KafkaRestoreStatus)record.Status).OffsetResetStatus!;
        Assert.Equal([group], reset.GroupsReset);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build();
        var committed = await admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group,
            [.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition(target, p))])]);
        Assert.Equal([10L, 25L, PerPartition], committed.Single().Partitions.OrderBy(p => p.Partition.Value).Select(p => p.Offset.Value));

        var denied = daemon.Record("az-other");
        Assert.Equal(ResourcePhase.Failed, denied.Phase);
        Assert.Equal(0, denied.Attempts);
        var ready = Conditions.Find(denied.Status.Conditions, ConditionTypes.Ready)!;
        Assert.Equal(ConditionReasons.PolicyDenied, ready.Reason);
        Assert.Contains($"Azure location {azurite.Endpoint}/{AzuriteFixture.AccountName}/{other}/dr", ready.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:kafka-backup:Azure", ready.Message, StringComparison.Ordinal);
        Assert.Empty(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, deniedTarget, Partitions));
    }
}
