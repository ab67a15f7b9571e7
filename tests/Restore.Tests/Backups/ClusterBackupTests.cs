using Confluent.Kafka;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Storage.S3;
using KafkaRestored.Restore.Tests.Backups.Kbak;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Backups;

/// <summary>
/// Three topics (7 partitions, one empty, 120k records with null/empty keys, values and header
/// values, duplicate headers, out-of-order timestamps) produced once to the hosted broker.
/// </summary>
public sealed class ClusterBackupDataset : IDisposable
{
    public const int RecordsPerTopic = 40_000;

    public ClusterBackupDataset()
    {
        Broker = MockKafkaBroker.Start();
        S3 = new S3rverFixture();
        Topics = [Broker.CreateUniqueTopic("orders", 3), Broker.CreateUniqueTopic("users", 2), Broker.CreateUniqueTopic("sparse", 2)];
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = Broker.BootstrapServers,
            EnableIdempotence = true,
            LingerMs = 5,
            BatchNumMessages = 10_000,
        }).SetLogHandler((_, _) => { }).Build();
        foreach (var topic in Topics)
        {
            // The last topic leaves partition 1 empty.
            var partitions = topic == Topics[2] ? 1 : topic == Topics[0] ? 3 : 2;
            for (var i = 0; i < RecordsPerTopic; i++)
            {
                var p = i % partitions;
                var record = Make(topic, i);
                var headers = new Headers();
                foreach (var h in record.Headers) headers.Add(h.Key, h.Value);
                producer.Produce(new TopicPartition(topic, p), new Message<byte[]?, byte[]?>
                {
                    Key = record.Key,
                    Value = record.Value,
                    Timestamp = new Timestamp(record.Timestamp, TimestampType.CreateTime),
                    Headers = headers,
                });
                var tp = (topic, p);
                if (!Expected.TryGetValue(tp, out var list)) Expected[tp] = list = [];
                list.Add(new BackupRecord { Offset = list.Count, Timestamp = record.Timestamp, Key = record.Key, Value = record.Value, Headers = record.Headers });
            }
        }
        if (producer.Flush(TimeSpan.FromSeconds(60)) > 0) throw new InvalidOperationException("produce did not finish");
        Expected[(Topics[2], 1)] = [];

        // A consumer group with committed offsets on two partitions.
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = Broker.BootstrapServers, GroupId = "billing" }).Build();
        consumer.Commit([new TopicPartitionOffset(Topics[0], 0, 1234), new TopicPartitionOffset(Topics[1], 1, 77)]);
    }

    public MockKafkaBroker Broker { get; }

    public S3rverFixture S3 { get; }

    public IReadOnlyList<string> Topics { get; }

    public Dictionary<(string Topic, int Partition), List<BackupRecord>> Expected { get; } = [];

    private static BackupRecord Make(string topic, int i)
    {
        byte[]? key = (i % 7) switch { 0 => null, 1 => [], _ => System.Text.Encoding.UTF8.GetBytes($"{topic}-key-{i % 500}") };
        byte[]? value = (i % 11) switch { 0 => null, 1 => [], _ => System.Text.Encoding.UTF8.GetBytes($"value-{i}-" + new string('x', i % 40)) };
        BackupHeader[] headers = (i % 5) switch
        {
            0 => [],
            1 => [new("trace", System.Text.Encoding.UTF8.GetBytes($"t{i}"))],
            2 => [new("dup", [1]), new("dup", [2]), new("dup", null)],
            3 => [new("empty", []), new("null", null)],
            _ => [new("a", [0]), new("b", [0xFF, 0x00])],
        };
        // Mostly increasing, sometimes going back in time, as producers' clocks do.
        var timestamp = 1_700_000_000_000 + (i * 3L) - (i % 13 == 0 ? 5_000 : 0);
        return new BackupRecord { Offset = i, Timestamp = timestamp, Key = key, Value = value, Headers = headers };
    }

    public void Dispose()
    {
        S3.Dispose();
        Broker.Dispose();
    }
}

public sealed class ClusterBackupTests(ClusterBackupDataset data) : IClassFixture<ClusterBackupDataset>, IDisposable
{
    private readonly TempDir _dir = new("kr-cluster-backup");

    public void Dispose() => _dir.Dispose();

    private KafkaClusterSpec Cluster => new(
        new ValueList<string>(data.Broker.BootstrapServers.Split(',')), KafkaRestored.Restore.Resources.Model.SecurityProtocol.Plaintext, null, null, null);

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(3));
    }

    // Through the real `kafka-restored backup` binary, then the product's reader.
    [Theory]
    [InlineData("filesystem", BackupCompression.Zstd)]
    [InlineData("s3", BackupCompression.Lz4)]
    public async Task A_backup_reads_back_every_record_exactly_as_produced(string backend, BackupCompression compression)
    {
        IBackupStorage storage;
        string[] location;
        if (backend == "s3")
        {
            var bucket = await data.S3.CreateBucketAsync();
            storage = new S3BackupStorage(data.S3.CreateClient(), bucket, "kafka/backups");
            var secrets = _dir.Combine("secrets");
            Directory.CreateDirectory(Path.Combine(secrets, "s3"));
            foreach (var key in new[] { "accessKey", "secretKey" })
            {
                var file = Path.Combine(secrets, "s3", key);
                await File.WriteAllTextAsync(file, S3rverFixture.AccessKey);
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            location = ["--s3-bucket", bucket, "--s3-prefix", "kafka/backups", "--s3-endpoint", data.S3.Endpoint, "--s3-force-path-style",
                "--secrets-dir", secrets, "--s3-credentials-secret", "s3"];
        }
        else
        {
            storage = new FilesystemBackupStorage(_dir.Combine("root"));
            location = ["--path", _dir.Combine("root")];
        }
        string[] backup = ["backup", "--bootstrap-servers", data.Broker.BootstrapServers, "--topics", string.Join(",", data.Topics),
            "--backup-id", "rt-1", "--compression", compression.ManifestName(), "--consumer-groups", "billing,never-committed",
            "--source-cluster-id", "source-a", "--segment-max-bytes", "150000", .. location];

        var run = Cli(backup);

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains($"progress: 100% {3 * ClusterBackupDataset.RecordsPerTopic}/{3 * ClusterBackupDataset.RecordsPerTopic} records, 7/7 partitions", run.StdOut, StringComparison.Ordinal);
        var read = await BackupManifestStore.ReadAsync(storage, "rt-1", CancellationToken.None);
        Assert.Equal(data.Topics.Order(StringComparer.Ordinal), read.Topics.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(compression.ManifestName(), read.Compression);
        Assert.Equal("source-a", read.SourceClusterId);
        Assert.Equal(data.Broker.BootstrapServers.Split(','), read.SourceBrokers);
        long records = 0;
        foreach (var topic in read.Topics)
        {
            Assert.Equal(topic.Name == data.Topics[0] ? 3 : 2, topic.OriginalPartitionCount);
            Assert.Equal(topic.OriginalPartitionCount, topic.Partitions.Count);
            foreach (var partition in topic.Partitions)
            {
                var actual = new List<BackupRecord>();
                foreach (var segment in partition.Segments)
                {
                    await foreach (var r in SegmentReader.ReadAsync(storage, segment.Key, CancellationToken.None)) actual.Add(r);
                }
                var expected = data.Expected[(topic.Name, partition.PartitionId)];
                Assert.Equal(expected.Count, actual.Count);
                Assert.Equal(expected.Select(HandBuiltSegment.Show), actual.Select(HandBuiltSegment.Show));
                Assert.Null(partition.Gaps);
                records += actual.Count;
            }
        }
        Assert.Equal(3 * ClusterBackupDataset.RecordsPerTopic, records);
        Assert.Empty(read.Topics.Single(t => t.Name == data.Topics[2]).Partitions[1].Segments);
        Assert.True(read.Topics[0].Partitions[0].Segments.Count >= 3, "segments rotate at 150,000 bytes");

        var groups = await ConsumerGroupSnapshotStore.TryReadAsync(storage, "rt-1", CancellationToken.None);
        var billing = groups!.Groups.Single(g => g.GroupId == "billing");
        Assert.Equal(1234, billing.Offsets[data.Topics[0]]["0"]);
        Assert.Equal(77, billing.Offsets[data.Topics[1]]["1"]);
        Assert.Equal(2, billing.Offsets.Values.Sum(p => p.Count));
        Assert.Empty(groups.Groups.Single(g => g.GroupId == "never-committed").Offsets);

        var again = Cli(backup);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("BackupExists", again.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_produced_after_the_backup_captured_the_high_watermark_are_left_out()
    {
        var topic = data.Broker.CreateUniqueTopic("moving", 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = data.Broker.BootstrapServers, LingerMs = 5 })
            .SetLogHandler((_, _) => { }).Build();
        void Produce(int count, string tag)
        {
            for (var i = 0; i < count; i++)
                producer.Produce(new TopicPartition(topic, 0), new Message<byte[]?, byte[]?> { Value = System.Text.Encoding.UTF8.GetBytes($"{tag}-{i}") });
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        Produce(500, "before");
        var during = 0;
        // The first progress report comes once the watermarks are captured, before any record is read.
        var progress = new SyncProgress(_ =>
        {
            if (during > 0) return;
            Produce(300, "during");
            during = 300;
        });
        var storage = new FilesystemBackupStorage(_dir.Combine("moving"));

        var manifest = await ClusterBackup.RunAsync(new ClusterBackupRequest(Cluster, [topic], "moving-1", BackupCompression.None, []),
            storage, new SecretStore(null), progress, CancellationToken.None);

        Assert.Equal(300, during);
        var segments = manifest.Topics.Single().Partitions.Single().Segments;
        Assert.Equal(500, segments.Sum(s => s.RecordCount));
        Assert.Equal(499, segments[^1].EndOffset);
        var values = new List<string>();
        foreach (var segment in segments)
        {
            await foreach (var r in SegmentReader.ReadAsync(storage, segment.Key, CancellationToken.None)) values.Add(System.Text.Encoding.UTF8.GetString(r.Value!));
        }
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"before-{i}"), values);
    }

    [Fact]
    public async Task A_topic_that_does_not_exist_is_TopicNotFound()
    {
        var request = new ClusterBackupRequest(Cluster, ["no-such-topic"], "x", BackupCompression.None, []);
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            ClusterBackup.RunAsync(request, new FilesystemBackupStorage(_dir.Path), new SecretStore(null), null, CancellationToken.None));
        Assert.Equal("TopicNotFound", e.Reason);
        Assert.Contains("no-such-topic", e.Message, StringComparison.Ordinal);
    }

    private sealed class SyncProgress(Action<BackupProgress> report) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => report(value);
    }
}
