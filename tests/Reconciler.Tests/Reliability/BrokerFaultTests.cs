using Confluent.Kafka;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Reliability;

/// <summary>
/// Broker faults during multi-partition restores run by the reconciler: produce errors injected
/// through the mock's fault injection, every broker down mid-restore (back within backoffLimit, or
/// down past it and then a rerun). Every restore ends with the full record sequence compared.
/// Counts: docs/RELIABILITY.md ("Broker faults").
/// </summary>
public sealed class BrokerFaultTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<KafkaFixture>
{
    private const short ProduceApiKey = 0;
    private const int Partitions = 8;
    private const int PerPartition = 10_000;

    private MockKafkaBroker Broker => kafka.Broker;

    private async Task<(string Source, string BackupDir, Dictionary<(string Topic, int Partition), IReadOnlyList<Restore.Backups.Kbak.BackupRecord>> Records)> BackupAsync(FaultRig rig)
    {
        const string source = "orders";
        var dir = rig.Remote.Scratch("backups");
        var records = FaultRig.Records(source, Partitions, PerPartition);
        await FaultRig.WriteBackupAsync(new FilesystemBackupStorage(dir), "backup-1", source, Partitions, records);
        return (source, dir, records);
    }

    private void AllBrokers(bool up)
    {
        for (var id = 1; id <= Broker.BrokerCount; id++)
        {
            if (up) Broker.BrokerUp(id);
            else Broker.BrokerDown(id);
        }
    }

    [Fact]
    public async Task Produce_errors_injected_mid_restore_are_retried_and_every_record_lands_exactly_once()
    {
        var iterations = ReliabilityCounts.Pick(1, 5);
        await using var rig = new FaultRig();
        var (source, dir, records) = await BackupAsync(rig);
        var injected = new Dictionary<ErrorCode, int>();
        long compared = 0;
        for (var i = 0; i < iterations; i++)
        {
            var target = Broker.CreateUniqueTopic("errors", Partitions);
            // NO_ERROR entries let requests through: the errors hit the 2nd, 4th, 5th and 7th produce requests,
            // after records have landed, and two of them back to back (the retry fails again).
            ErrorCode[] pattern = [ErrorCode.NoError, ErrorCode.NotLeaderForPartition, ErrorCode.NoError, ErrorCode.RequestTimedOut,
                ErrorCode.NotLeaderForPartition, ErrorCode.NoError, ErrorCode.RequestTimedOut, ErrorCode.NoError];
            Broker.PushRequestErrors(ProduceApiKey, pattern);
            foreach (var e in pattern.Where(e => e != ErrorCode.NoError)) injected[e] = injected.GetValueOrDefault(e) + 1;
            var name = $"errors-{i}";
            rig.Remote.HumanCommit("add " + name, new Dictionary<string, string?>
            {
                [$"restores/{name}.yaml"] = FaultRig.RestoreYaml(name, "backup-1", source, target, Broker.BootstrapServers, FaultRig.FilesystemStorage(dir), backoffLimit: 3),
            });

            Assert.True(await rig.Loop.RunUntilIdleAsync(CancellationToken.None));

            var record = rig.Record(name)!;
            Assert.Equal(ResourcePhase.Completed, record.Phase);
            Assert.Contains("phase: Completed", rig.StatusFile(name));
            compared += FaultRig.AssertExactlyOnce(Broker.BootstrapServers, target, Partitions, records, source);
            log.WriteLine($"iteration {i}: completed in {record.Attempts} attempt(s)");
        }
        log.WriteLine($"FIGURES produce-errors: restores={iterations} partitions={Partitions} errorsInjected={injected.Values.Sum()} ({string.Join(", ", injected.Select(kv => $"{kv.Key}={kv.Value}"))}) recordsCompared={compared} lost=0 duplicated=0");
    }

    [Fact]
    public async Task Every_broker_down_past_the_stall_timeout_fails_the_attempt_and_the_next_attempt_resumes_exactly_once()
    {
        var iterations = ReliabilityCounts.Pick(1, 3);
        await using var rig = new FaultRig();
        var (source, dir, records) = await BackupAsync(rig);
        long compared = 0;
        for (var i = 0; i < iterations; i++)
        {
            var target = Broker.CreateUniqueTopic("outage", Partitions);
            var name = $"outage-{i}";
            var yaml = FaultRig.RestoreYaml(name, "backup-1", source, target, Broker.BootstrapServers, FaultRig.FilesystemStorage(dir), backoffLimit: 6);
            var landed = await rig.RestoreThroughFaultAsync(Broker, name, yaml, target, Partitions,
                startFault: () => AllBrokers(up: false), endFault: () => AllBrokers(up: true));

            var (attempts, checkedRecords) = rig.AssertRecoveredExactlyOnce(Broker, name, target, Partitions, records, source);
            compared += checkedRecords;
            log.WriteLine($"iteration {i}: brokers down with {landed} of {Partitions * PerPartition} records seen in the target; completed in attempt {attempts}");
        }
        log.WriteLine($"FIGURES brokers-down-within-backoffLimit: restores={iterations} outages={iterations} recordsCompared={compared} lost=0 duplicated=0");
    }

    [Fact]
    public async Task Brokers_down_past_backoffLimit_fail_the_restore_with_a_clear_reason_and_a_rerun_resumes_it_exactly_once()
    {
        var iterations = ReliabilityCounts.Pick(1, 3);
        await using var rig = new FaultRig();
        var (source, dir, records) = await BackupAsync(rig);
        long compared = 0;
        for (var i = 0; i < iterations; i++)
        {
            var target = Broker.CreateUniqueTopic("failed", Partitions);
            var name = $"failed-{i}";
            string Yaml(string? rerun) => FaultRig.RestoreYaml(name, "backup-1", source, target, Broker.BootstrapServers, FaultRig.FilesystemStorage(dir), backoffLimit: 1, rerun);
            long[] partial;
            Broker.SetRtt(FaultRig.SlowRttMs);
            try
            {
                rig.Remote.HumanCommit("add " + name, new Dictionary<string, string?> { [$"restores/{name}.yaml"] = Yaml(null) });
                var loop = rig.Loop.RunUntilIdleAsync(CancellationToken.None);
                await rig.WaitForFirstRecordsAsync(name, Broker.BootstrapServers, target, Partitions, loop, TimeSpan.FromMinutes(1));
                AllBrokers(up: false);
                try
                {
                    Assert.False(await loop.WaitAsync(TimeSpan.FromMinutes(2)));
                }
                finally
                {
                    Broker.SetRtt(0);
                    AllBrokers(up: true);
                }

                var failed = rig.Record(name)!;
                Assert.Equal(ResourcePhase.Failed, failed.Phase);
                Assert.Equal(2, failed.Attempts);
                var ready = Conditions.Find(failed.Status.Conditions, ConditionTypes.Ready)!;
                Assert.Equal("ClusterUnreachable", ready.Reason);
                Assert.Contains("job.backoffLimit=1 reached", ready.Message);
                Assert.Contains(Broker.BootstrapServers.Split(',')[0], ready.Message);
                var file = rig.StatusFile(name);
                Assert.Contains("phase: Failed", file);
                Assert.Contains("reason: ClusterUnreachable", file);
                partial = FaultRig.AssertPrefixes(Broker.BootstrapServers, target, Partitions, records, source);
                Assert.InRange(partial.Sum(), 1, (long)Partitions * PerPartition - 1);
            }
            finally
            {
                Broker.SetRtt(0);
            }

            rig.Remote.HumanCommit("rerun " + name, new Dictionary<string, string?> { [$"restores/{name}.yaml"] = Yaml($"after-outage-{i}") });
            Assert.True(await rig.Loop.RunUntilIdleAsync(CancellationToken.None));

            var record = rig.Record(name)!;
            Assert.Equal(ResourcePhase.Completed, record.Phase);
            Assert.Equal(2, record.Generation);
            Assert.Contains("phase: Completed", rig.StatusFile(name));
            compared += FaultRig.AssertExactlyOnce(Broker.BootstrapServers, target, Partitions, records, source);
            log.WriteLine($"iteration {i}: Failed (ClusterUnreachable) after 2 attempts with {partial.Sum()} records in the target; the rerun completed");
        }
        log.WriteLine($"FIGURES brokers-down-past-backoffLimit: restores={iterations} failedThenRerun={iterations} recordsCompared={compared} lost=0 duplicated=0");
    }
}
