using Confluent.Kafka;
using KafkaRestored.Restore.Engine;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// The target's offsets as the engine reads them (ListOffsets through librdkafka's admin client) while brokers go
/// down and come back: found by the nemesis, librdkafka then answers some partitions with no error and offset -1001,
/// which a resume read as "the topic was recreated" and failed the restore for good (TargetChanged).
/// </summary>
public sealed class TargetOffsetsTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task Offsets_read_across_broker_outages_are_the_real_ones_never_an_unknown_offset()
    {
        const int partitions = 6;
        var topic = kafka.Broker.CreateUniqueTopic("offsets", partitions);
        Kcat.Produce(kafka.Broker.BootstrapServers, topic, 0, [("a", "1"), ("b", "2")]);
        Kcat.Produce(kafka.Broker.BootstrapServers, topic, 3, [("c", "3")]);
        long[] expected = [2, 0, 0, 1, 0, 0];
        using var target = new TargetCluster(new ClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }, kafka.Broker.BootstrapServers,
            NullLogger.Instance, RestoreTuning.Default, TimeProvider.System);
        var keys = Enumerable.Range(0, partitions).Select(p => (topic, p)).ToList();
        Assert.Equal(expected, Order(await target.OffsetsAsync(keys, earliest: false, CancellationToken.None)));

        // Each round asks while every broker is down and brings them back after a different pause; before the fix about
        // one round in three answered -1001 for some partitions.
        for (var round = 0; round < 8; round++)
        {
            for (var id = 1; id <= kafka.Broker.BrokerCount; id++) kafka.Broker.BrokerDown(id);
            var asked = target.OffsetsAsync(keys, earliest: false, CancellationToken.None);
            await Task.Delay(200 + (200 * round));
            for (var id = 1; id <= kafka.Broker.BrokerCount; id++) kafka.Broker.BrokerUp(id);
            var got = Order(await asked);
            log.WriteLine($"round {round}: {string.Join(',', got)}");
            Assert.Equal(expected, got);
        }
    }

    private static long[] Order(Dictionary<(string Topic, int Partition), long> offsets) =>
        [.. offsets.OrderBy(o => o.Key.Partition).Select(o => o.Value)];
}
