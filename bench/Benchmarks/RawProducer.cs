using Confluent.Kafka;
using KafkaRestored.Restore.Engine;

namespace KafkaRestored.Benchmarks;

/// <summary>
/// Baseline a: Confluent.Kafka with the restore's producer settings, taken from the engine itself
/// (<c>RecordProducer.Settings</c>: idempotence, acks=all, gapless, linger 10 ms, 1 MB / 100k-message
/// batches, the queue a 256Mi memory limit gives, Nagle off, no delivery report fields), buffers reused.
/// </summary>
internal static class RawProducer
{
    /// <summary>The engine's producer queue for limits.memory 256Mi (RestoreBudget: half the budget, 128 bytes per message).</summary>
    public const int EngineQueueKbytes = 128 * 1024;

    /// <summary>See <see cref="EngineQueueKbytes"/>.</summary>
    public const int EngineQueueMessages = 256 * 1024 * 1024 / 2 / 128;

    /// <summary>The engine's own producer settings (<c>RecordProducer.Settings</c>) at the default 256Mi budget, for <paramref name="bootstrap"/>.</summary>
    public static ProducerConfig EngineSettings(string bootstrap) =>
        RecordProducer.Settings(new ClientConfig { BootstrapServers = bootstrap }, new RestoreBudget(1, RestoreBudget.DefaultMemoryBytes));

    public static long? Run(string bootstrap, string topic, Dataset dataset)
    {
        long delivered = 0, failed = 0;
        var config = EngineSettings(bootstrap);
        // The log handler keeps librdkafka's "gapless guarantee is experimental" notice out of the table.
        using (var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build())
        {
            var key = new byte[20];
            var value = new byte[200];
            void Report(DeliveryReport<byte[], byte[]> r)
            {
                if (r.Error.IsError) Interlocked.Increment(ref failed);
                else Interlocked.Increment(ref delivered);
            }
            for (long i = 0; i < dataset.Records; i++)
            {
                Dataset.Fill(i, key, value);
                var message = new Message<byte[], byte[]>
                {
                    Key = key,
                    Value = value,
                    Headers = Dataset.HeadersFor(i),
                    Timestamp = new Timestamp(Dataset.TimestampFor(i), TimestampType.CreateTime),
                };
                while (true)
                {
                    try
                    {
                        producer.Produce(new TopicPartition(topic, (int)(i % dataset.Partitions)), message, Report);
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }
            producer.Flush(TimeSpan.FromMinutes(5));
        }
        if (failed > 0) throw new InvalidOperationException($"raw producer: {failed} deliveries failed");
        return null;
    }
}
