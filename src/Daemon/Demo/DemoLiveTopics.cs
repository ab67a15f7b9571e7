using Confluent.Kafka;
using KafkaRestored.EmbeddedKafka;

namespace KafkaRestored.Daemon.Demo;

/// <summary>
/// The embedded cluster's "live" topics, which the demo's KafkaBackup backs up: created with <see cref="DemoBackups.Partitions"/>
/// partitions and filled with orders and payments shaped like the sample backups', timestamped now (so a drill's rpo is met).
/// </summary>
public static class DemoLiveTopics
{
    /// <summary>Creates <paramref name="topics"/> on <paramref name="cluster"/> and produces <paramref name="recordsPerPartition"/> records to each partition; returns the records produced.</summary>
    public static long Fill(EmbeddedKafkaCluster cluster, IEnumerable<string> topics, int recordsPerPartition)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5 })
            .SetLogHandler((_, _) => { }).Build();
        long produced = 0;
        foreach (var topic in topics)
        {
            cluster.CreateTopic(topic, DemoBackups.Partitions, 1);
            for (var p = 0; p < DemoBackups.Partitions; p++)
            {
                for (var i = 0; i < recordsPerPartition; i++)
                {
                    var key = DemoBackups.Key(topic, p, i);
                    producer.Produce(new TopicPartition(topic, p), new Message<string, string> { Key = key, Value = DemoBackups.Value(key, i) });
                    produced++;
                }
            }
        }
        var left = producer.Flush(TimeSpan.FromSeconds(30));
        if (left > 0) throw new InvalidOperationException($"{left} demo record(s) were not delivered to the embedded cluster within 30 s");
        return produced;
    }
}
