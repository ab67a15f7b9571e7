using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>
/// Fixture data for offset tests: "restored" records written the way a restore writes them
/// (x-original-offset etc. headers, source timestamps, at known target offsets) with the
/// matching offset map, plus direct commit/read of committed offsets through a second client.
/// </summary>
internal sealed class OffsetTestKit(string bootstrap) : IDisposable
{
    public static readonly DateTimeOffset BaseTime = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly IAdminClient _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, AllowAutoCreateTopics = false }).Build();

    public string Bootstrap { get; } = bootstrap;

    public KafkaClusterSpec Cluster => new(new ValueList<string>([Bootstrap]), KafkaRestored.Restore.Resources.Model.SecurityProtocol.Plaintext, null, null, null);

    /// <summary>Timestamp a restored record of source offset <paramref name="sourceOffset"/> carries: one second per offset.</summary>
    public static DateTimeOffset TimeOf(long sourceOffset) => BaseTime.AddSeconds(sourceOffset);

    /// <summary>
    /// Writes restored records for the given source offsets (in order) to target partition
    /// <paramref name="partition"/>, returning the offset map a restore would have recorded.
    /// </summary>
    public PartitionOffsetMap Restore(string sourceTopic, string targetTopic, int partition, IEnumerable<long> sourceOffsets,
        string? sourceCluster = "src-a", bool textHeader = false, Func<long, DateTimeOffset>? timeOf = null)
    {
        var map = new PartitionOffsetMap(sourceTopic, targetTopic, partition);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = Bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 0 }).Build();
        foreach (var source in sourceOffsets)
        {
            var headers = new Headers();
            var offsetBytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(offsetBytes, source);
            headers.Add("x-original-offset", textHeader ? Encoding.UTF8.GetBytes(source.ToString(System.Globalization.CultureInfo.InvariantCulture)) : offsetBytes);
            var ts = (timeOf ?? TimeOf)(source);
            var tsBytes = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(tsBytes, ts.ToUnixTimeMilliseconds());
            headers.Add("x-original-timestamp", tsBytes);
            var partBytes = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(partBytes, partition);
            headers.Add("x-source-partition", partBytes);
            if (sourceCluster is not null) headers.Add("x-source-cluster", Encoding.UTF8.GetBytes(sourceCluster));
            var report = producer.ProduceAsync(new TopicPartition(targetTopic, partition), new Message<byte[]?, byte[]?>
            {
                Key = Encoding.UTF8.GetBytes($"k{source}"),
                Value = Encoding.UTF8.GetBytes($"{sourceTopic}/{partition}/{source}"),
                Timestamp = new Timestamp(ts.UtcDateTime, TimestampType.CreateTime),
                Headers = headers,
            }).GetAwaiter().GetResult();
            map.Add(source, report.Offset.Value);
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return map;
    }

    /// <summary>Writes plain records (no restore headers) to a partition.</summary>
    public void Produce(string topic, int partition, int count, Func<int, DateTimeOffset>? timeOf = null)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = Bootstrap }).Build();
        for (var i = 0; i < count; i++)
        {
            producer.Produce(new TopicPartition(topic, partition), new Message<byte[]?, byte[]?>
            {
                Value = Encoding.UTF8.GetBytes($"plain-{i}"),
                Timestamp = new Timestamp((timeOf?.Invoke(i) ?? BaseTime.AddSeconds(i)).UtcDateTime, TimestampType.CreateTime),
            });
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Commits offsets for a group directly (the "before" state of a test).</summary>
    public async Task CommitAsync(string group, params (string Topic, int Partition, long Offset)[] offsets) =>
        await _admin.AlterConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitionOffsets(group,
            [.. offsets.Select(o => new TopicPartitionOffset(o.Topic, o.Partition, o.Offset))])]);

    /// <summary>Committed offsets of a group on every partition of <paramref name="topic"/>; null where nothing is committed.</summary>
    public async Task<long?[]> CommittedAsync(string group, string topic, int partitions)
    {
        var answer = await _admin.ListConsumerGroupOffsetsAsync([new ConsumerGroupTopicPartitions(group,
            [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p))])]);
        var result = new long?[partitions];
        foreach (var p in answer.Single().Partitions)
            result[p.Partition.Value] = p.Offset.Value >= 0 ? p.Offset.Value : null;
        return result;
    }

    public void Dispose() => _admin.Dispose();
}

/// <summary>
/// A test of a path only a real Kafka cluster can exercise (KAFKA_BOOTSTRAP_SERVERS); skipped otherwise, with
/// <c>mockLacks</c> saying what librdkafka's mock broker cannot do (see TESTING.md). The decision the product
/// takes when a broker lacks it is tested against the mock beside each of these.
/// </summary>
internal sealed class RealKafkaFactAttribute : FactAttribute
{
    public RealKafkaFactAttribute(string mockLacks)
    {
        if (string.IsNullOrEmpty(Bootstrap))
            Skip = $"runs only against a real Kafka cluster (set KAFKA_BOOTSTRAP_SERVERS): {mockLacks}";
    }

    public static string? Bootstrap => Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
}
