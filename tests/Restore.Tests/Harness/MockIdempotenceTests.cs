using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Harness;

/// <summary>
/// A limit of librdkafka's mock cluster that the broker-fault tests must plan around: it checks
/// producer sequence numbers only for transactional producers, so a plain idempotent producer's
/// retry of a batch whose response was lost is appended a second time. A real broker
/// acknowledges such a retry as a duplicate without writing it (docs/RELIABILITY.md).
/// </summary>
public sealed class MockIdempotenceTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    [Fact]
    public async Task The_mock_appends_an_idempotent_retry_again_when_the_broker_went_down_before_answering()
    {
        var broker = kafka.Broker;
        var topic = broker.CreateUniqueTopic("mock-dedupe", 1);
        var tp = new TopicPartition(topic, 0);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            EnableGaplessGuarantee = true,
            MessageTimeoutMs = 0,
            ReconnectBackoffMaxMs = 500,
        }).SetLogHandler((_, _) => { }).SetErrorHandler((_, _) => { }).Build();
        // Producer id assigned and leader known before the fault.
        await producer.ProduceAsync(tp, new Message<byte[]?, byte[]?> { Value = "first"u8.ToArray() });

        // Responses now wait 10 s; the request itself is appended as soon as the broker reads it.
        for (var id = 1; id <= broker.BrokerCount; id++) broker.Command($"rtt {id} 10000");
        var delivered = 0;
        producer.Produce(tp, new Message<byte[]?, byte[]?> { Value = "second"u8.ToArray() }, r =>
        {
            if (!r.Error.IsError) Interlocked.Increment(ref delivered);
        });
        producer.Flush(TimeSpan.FromMilliseconds(10));
        // Any query of the partition would wait behind the same round-trip time, so give the send a moment instead.
        await Task.Delay(2000);
        for (var id = 1; id <= broker.BrokerCount; id++) broker.BrokerDown(id);
        for (var id = 1; id <= broker.BrokerCount; id++)
        {
            broker.Command($"rtt {id} 0");
            broker.BrokerUp(id);
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));

        Assert.Equal(1, delivered);
        // One produce call, one successful delivery report, two copies in the log.
        var values = RestoreKit.ReadTopic(broker.BootstrapServers, topic, 1).Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)).ToList();
        Assert.Equal(["first", "second", "second"], values);
    }
}
