using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Reliability;

/// <summary>
/// Deleting the YAML of a restore that is writing records (not one stuck connecting): the cycle that sees the
/// deletion stops it, and no record of it lands after that cycle returns.
/// </summary>
public sealed class CancelWhileWritingTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    private const int Partitions = 8;
    // ~3 MB a partition: the mock broker keeps about 4 MiB per partition and drops the oldest records beyond that.
    private const int PerPartition = 10_000;

    [Fact]
    public async Task Deleting_the_yaml_of_a_restore_writing_records_stops_it_and_nothing_lands_afterwards()
    {
        await using var rig = new FaultRig();
        const string source = "orders";
        var dir = rig.Remote.Scratch("backups");
        var records = FaultRig.Records(source, Partitions, PerPartition);
        await FaultRig.WriteBackupAsync(new FilesystemBackupStorage(dir), "backup-1", source, Partitions, records);
        var target = kafka.Broker.CreateUniqueTopic("cancelled", Partitions);
        using var admin = new Confluent.Kafka.AdminClientBuilder(new Confluent.Kafka.AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers })
            .SetLogHandler((_, _) => { }).Build();

        // Slowed brokers under the 8 MiB floor: at most ~10,000 records a round trip, so 80,000 take at least 8 round
        // trips on any machine, while the first records are seen and the cancelling cycle runs within a few.
        kafka.Broker.SetRtt(FaultRig.SlowRttMs);
        long atCancel;
        try
        {
            rig.Remote.HumanCommit("add r", new Dictionary<string, string?>
            {
                ["restores/r.yaml"] = FaultRig.RestoreYaml("r", "backup-1", source, target, kafka.Broker.BootstrapServers, FaultRig.FilesystemStorage(dir), backoffLimit: 3),
            });
            await rig.Loop.RunCycleAsync(CancellationToken.None);
            Assert.Equal(ResourcePhase.Running, rig.Record("r")!.Phase);
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (await RestoreKit.LandedAsync(admin, target, Partitions) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no record landed within a minute: " + rig.Describe("r"));
                await Task.Delay(20);
            }

            rig.Remote.HumanCommit("cancel r", new Dictionary<string, string?> { ["restores/r.yaml"] = null });
            var report = await rig.Loop.RunCycleAsync(CancellationToken.None);
            atCancel = await RestoreKit.LandedAsync(admin, target, Partitions);

            Assert.Contains(report.Actions, a => a.Kind == PlanActionKind.Cancel && a.Id.Name == "r");
            Assert.Empty(rig.Loop.InFlight);
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }

        var record = rig.Record("r")!;
        Assert.True(record.Tombstone);
        Assert.Equal(DeletionOutcome.Cancelled, record.Deletion);
        Assert.Equal(ConditionReasons.Cancelled, Conditions.Find(record.Status.Conditions, ConditionTypes.Ready)!.Reason);
        // It was cancelled part-way: records had landed and more were left to write.
        Assert.InRange(atCancel, 1, Partitions * PerPartition - 1);
        // Nothing lands after the cycle returned, at full broker speed, with time for any stray producer to flush.
        for (var look = 0; look < 10; look++)
        {
            await Task.Delay(200);
            Assert.Equal(atCancel, await RestoreKit.LandedAsync(admin, target, Partitions));
        }
        // What landed is each partition's backup from its start, once and in order: the record at offset o is the backup's o-th.
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, target, Partitions);
        Assert.Equal(atCancel, seen.Count);
        foreach (var r in seen)
            Assert.Equal(records[(source, r.Partition)][(int)r.Offset].Key, r.Key);
    }
}
