using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// A fatal producer error mid-restore (injected through the mock's produce errors, after two
/// produce requests went through): the engine disposes the producer, waits until the target's end
/// offsets hold still, resumes with a new producer from them, and every record lands exactly once.
/// Before the client settings were copied per client, this path failed every time: the first
/// producer's settings had leaked into the shared config and the resume's consumer refused them.
/// </summary>
public sealed class ProducerRestartTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData(ErrorCode.OutOfOrderSequenceNumber, true)]
    [InlineData(ErrorCode.InvalidProducerEpoch, true)]
    [InlineData(ErrorCode.UnknownProducerId, false)] // librdkafka recovers from this one itself (new producer id, no fatal error)
    public async Task A_fatal_produce_error_restarts_the_producer_and_the_restore_resumes_exactly_once(ErrorCode fatal, bool restarts)
    {
        const int partitions = 4, perPartition = 5000;
        var topic = kafka.Broker.CreateUniqueTopic("restart", partitions);
        var padding = new string('.', 280);
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < partitions; p++)
        {
            var partition = p;
            input[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i => RestoreKit.Record(i, 1_000_000 + i, $"k{partition}-{i}", $"v{partition}-{i}{padding}"))];
        }
        await _s.WriteBackupAsync(input, new Dictionary<string, int> { [topic] = partitions }, segmentRecords: 1000);
        kafka.Broker.PushRequestErrors(0, ErrorCode.NoError, ErrorCode.NoError, fatal);

        var logger = new ListLogger();
        var result = await EngineRuns.RunAsync(_s.Restore(s => s with { Resources = new ResourcesSpec(null, new ResourceQuantities(1000, RestoreBudget.MinimumMemoryBytes)) }),
            new RestoreEnvironment(new SecretStore(null), _s.State, "default/restore")
            {
                Tuning = EngineScenario.FastTuning with { RestartSettleInterval = TimeSpan.FromMilliseconds(200) },
                Logger = logger,
            }, null, CancellationToken.None);
        foreach (var m in logger.Lines) log.WriteLine(m);

        RestoreSelectionTests.AssertCompleted(result);
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, partitions);
        for (var p = 0; p < partitions; p++)
        {
            var got = seen.Where(r => r.Partition == p).ToList();
            Assert.Equal(input[(topic, p)].Select(r => r.Key), got.Select(r => r.Key));
            Assert.Equal(input[(topic, p)].Select(r => r.Value), got.Select(r => r.Value));
        }
        Assert.Equal(restarts, logger.Lines.Any(l => l.Contains("resuming with a new producer", StringComparison.Ordinal)));
    }
}
