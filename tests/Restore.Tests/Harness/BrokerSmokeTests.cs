using System.Text;
using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Harness;

/// <summary>Proves the hosted mock broker speaks real Kafka to two independent clients.</summary>
public sealed class BrokerSmokeTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    [Fact]
    public void Produced_records_come_back_byte_exact_through_confluent_and_kcat()
    {
        var topic = kafka.Broker.CreateUniqueTopic("smoke", 3);
        var ts = new DateTime(2024, 12, 1, 12, 0, 0, DateTimeKind.Utc);
        var headers = new Headers { { "h-empty", [] }, { "h-dup", "1"u8.ToArray() }, { "h-dup", "2"u8.ToArray() } };
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = kafka.Broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build())
        {
            producer.Produce(new TopicPartition(topic, 2), new Message<byte[]?, byte[]?>
            {
                Key = "k1"u8.ToArray(),
                Value = "v1"u8.ToArray(),
                Timestamp = new Timestamp(ts, TimestampType.CreateTime),
                Headers = headers,
            });
            producer.Produce(new TopicPartition(topic, 2), new Message<byte[]?, byte[]?>
            {
                Key = null,
                Value = null,
                Timestamp = new Timestamp(ts.AddSeconds(1), TimestampType.CreateTime),
            });
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = kafka.Broker.BootstrapServers,
            GroupId = "smoke-" + Guid.NewGuid(),
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 2, Offset.Beginning));
        var first = consumer.Consume(TimeSpan.FromSeconds(30));
        var second = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal("k1", Encoding.UTF8.GetString(first.Message.Key!));
        Assert.Equal("v1", Encoding.UTF8.GetString(first.Message.Value!));
        Assert.Equal(ts, first.Message.Timestamp.UtcDateTime);
        Assert.Equal(TimestampType.CreateTime, first.Message.Timestamp.Type);
        Assert.Equal(["h-empty", "h-dup", "h-dup"], first.Message.Headers.Select(h => h.Key));
        Assert.Empty(first.Message.Headers[0].GetValueBytes());
        Assert.Equal("2", Encoding.UTF8.GetString(first.Message.Headers[2].GetValueBytes()));
        Assert.Null(second.Message.Key);
        Assert.Null(second.Message.Value);

        var seen = Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, r => Assert.Equal(2, r.Partition));
        Assert.Equal(new DateTimeOffset(ts).ToUnixTimeMilliseconds(), seen[0].Timestamp);
        Assert.Equal("k1", seen[0].Key);
        Assert.Equal("v1", seen[0].Value);
        Assert.Equal(3, seen[0].Headers.Count);
        Assert.Null(seen[1].Key);
        Assert.Null(seen[1].Value);
    }

    [Fact]
    public async Task A_wrong_bootstrap_address_fails_delivery()
    {
        // Nothing listens on this port: the smoke test above would fail the same way if the
        // fixture handed out a wrong address.
        var deadAddress = $"127.0.0.1:{S3rverFixture.FreePort()}";
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = deadAddress,
            MessageTimeoutMs = 1500,
        }).Build();
        var ex = await Assert.ThrowsAsync<ProduceException<byte[]?, byte[]?>>(() =>
            producer.ProduceAsync("any", new Message<byte[]?, byte[]?> { Value = [1] }));
        Assert.Equal(ErrorCode.Local_MsgTimedOut, ex.Error.Code);
    }

    [Fact]
    public async Task A_broker_taken_down_and_up_serves_again()
    {
        var topic = kafka.Broker.CreateUniqueTopic("updown", 1);
        for (var id = 1; id <= kafka.Broker.BrokerCount; id++) kafka.Broker.BrokerDown(id);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = kafka.Broker.BootstrapServers,
            MessageTimeoutMs = 30000,
        }).Build();
        var delivery = producer.ProduceAsync(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?> { Value = [7] });
        await Task.Delay(500);
        Assert.False(delivery.IsCompleted);
        for (var id = 1; id <= kafka.Broker.BrokerCount; id++) kafka.Broker.BrokerUp(id);
        Assert.Equal(PersistenceStatus.Persisted, (await delivery).Status);
    }
}
