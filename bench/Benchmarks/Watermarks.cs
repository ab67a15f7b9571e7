using Confluent.Kafka;

namespace KafkaRestored.Benchmarks;

/// <summary>Sums high watermarks: how many records a contender really landed.</summary>
internal static class Watermarks
{
    public static long Total(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-watermarks" }).Build();
        long total = 0;
        for (var p = 0; p < partitions; p++)
            total += consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value;
        return total;
    }
}
