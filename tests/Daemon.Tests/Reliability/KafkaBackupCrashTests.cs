using Amazon.S3.Model;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue #24 through the real daemon binary: a KafkaBackup on a one-minute schedule writing to an S3-compatible store
/// (s3rver) is SIGKILLed part-way through its slot's backup; the restarted daemon resumes that slot and completes the same
/// backup id with every record exactly once, checked by decoding the stored segments (the product's segment reader: the
/// suite has no reader of its own) and by restoring the backup and reading the topic back with kcat.
/// </summary>
public sealed class KafkaBackupCrashTests(KafkaFixture kafka, S3rverFixture s3, ITestOutputHelper log)
    : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int PerPartition = 3_000;
    private const string Prefix = "dr/kafka";
    private const string StatusPath = "status/kafkabackup/crash/nightly.yaml";
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-backup-crash");

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_daemon_killed_mid_backup_completes_that_slots_backup_after_restart_with_every_record_exactly_once()
    {
        var topic = kafka.Broker.CreateUniqueTopic("backup-crash", Partitions);
        var produced = Produce(topic);
        var bucket = await s3.CreateBucketAsync("backup-crash");
        var secrets = S3rverFixture.WriteCredentialsSecret(_dir.Combine("secrets"));
        _remote.HumanCommit("add a KafkaBackup to s3", new Dictionary<string, string?> { ["backups/nightly.yaml"] = BackupYaml(topic, bucket) });
        var state = _dir.Combine("state");

        // Slowed brokers bound the backup's speed on any machine (each fetch round trip brings at most 2 MiB of a partition's
        // ~3 MiB, 64 KiB segments are stored as they fill), so the first daemon is part-way when its first segment is in S3.
        string backupId;
        kafka.Broker.SetRtt(1_000);
        try
        {
            using var first = StartDaemon(state, secrets);
            // A new KafkaBackup waits for its first slot (the next minute, in real time), as a CronJob does.
            backupId = await first.WaitForAsync("a segment of the first slot's backup in S3", async () =>
            {
                var keys = await KeysAsync(bucket, Prefix + "/nightly-");
                return keys.FirstOrDefault(k => k.Contains("/segment-", StringComparison.Ordinal)) is { } key ? key.Split('/')[2] : null;
            }, TimeSpan.FromMinutes(3));
            first.Kill();
            log.WriteLine(first.Output);
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }
        var left = await KeysAsync(bucket, $"{Prefix}/{backupId}/");
        Assert.Contains(left, k => k.Contains("/segment-", StringComparison.Ordinal));
        Assert.DoesNotContain($"{Prefix}/{backupId}/manifest.json", left);

        // The status commit that completed the slot (a later slot may start a run of its own before the daemon stops).
        string completed;
        using (var second = StartDaemon(state, secrets))
        {
            completed = await second.WaitForAsync("the slot's backup completed in the status history", () =>
                Task.FromResult(_remote.RemoteGit("log", "--format=%H %s", "main", "--", StatusPath).Split('\n')
                    .FirstOrDefault(l => l.Contains($"Running -> Completed (backup {backupId}, 9,000 records", StringComparison.Ordinal))),
                TimeSpan.FromMinutes(4));
            Assert.Equal(0, second.Stop(TimeSpan.FromSeconds(60)));
        }

        var status = _remote.RemoteGit("show", $"{completed.Split(' ')[0]}:{StatusPath}");
        Assert.Contains("phase: Completed", status, StringComparison.Ordinal);
        Assert.Contains("restartedIncomplete: true", status, StringComparison.Ordinal);
        Assert.Contains($"records: {Partitions * PerPartition}", status, StringComparison.Ordinal);
        await AssertDecodedExactlyOnceAsync(bucket, backupId, produced);
        AssertRestoresExactlyOnce(bucket, backupId, topic, secrets, produced);
    }

    /// <summary>
    /// The stored segments are exactly those the manifest lists (the killed attempt's are gone), and they decode to every
    /// record once, in order, by the tests' own reader (<see cref="IndependentKbak"/>) over a downloaded copy.
    /// </summary>
    private async Task AssertDecodedExactlyOnceAsync(string bucket, string backupId, Dictionary<int, List<string>> produced)
    {
        var copy = _dir.Combine("downloaded");
        using (var client = s3.CreateClient())
        {
            foreach (var key in await KeysAsync(bucket, $"{Prefix}/{backupId}/"))
            {
                var file = Path.Combine(copy, key[(Prefix.Length + 1)..]);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                using var obj = await client.GetObjectAsync(bucket, key);
                await using var stream = File.Create(file);
                await obj.ResponseStream.CopyToAsync(stream);
            }
        }
        var listed = IndependentKbak.ListedSegments(copy, backupId).Select(k => $"{Prefix}/{k}").Order(StringComparer.Ordinal);
        var stored = (await KeysAsync(bucket, $"{Prefix}/{backupId}/")).Where(k => k.Contains("/segment-", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(listed, stored);
        var backup = IndependentKbak.Read(copy, backupId);
        Assert.Equal(Partitions, backup.Count);
        foreach (var ((_, partition), records) in backup)
        {
            Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records.Select(r => r.Offset));
            Assert.Equal(produced[partition], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)));
        }
    }

    /// <summary><c>restore -f</c> of the backup into a fresh topic, read back with kcat: every record once, in order.</summary>
    private void AssertRestoresExactlyOnce(string bucket, string backupId, string topic, string secrets, Dictionary<int, List<string>> produced)
    {
        var target = topic + "-restored";
        kafka.Broker.CreateTopic(target, Partitions);
        var file = _dir.Combine("restore.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: check, namespace: crash{"}"}
            spec:
              backupId: {backupId}
              targetCluster:
                bootstrapServers: [{string.Join(", ", kafka.Broker.BootstrapServers.Split(','))}]
            {StorageYaml(bucket, "  ")}
              topicMapping:
                {topic}: {target}
            """);
        var restore = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "restore", "-f", file,
            "--state-dir", _dir.Combine("restore-state"), "--secrets-dir", secrets], timeout: TimeSpan.FromMinutes(3));
        Assert.True(restore.ExitCode == 0, restore.StdOut + restore.StdErr);
        var read = Kcat.ReadTopic(kafka.Broker.BootstrapServers, target);
        Assert.Equal(Partitions * PerPartition, read.Count);
        foreach (var (p, values) in produced) Assert.Equal(values, read.Where(r => r.Partition == p).Select(r => r.Value!));
    }

    private Dictionary<int, List<string>> Produce(string topic)
    {
        var produced = new Dictionary<int, List<string>>();
        var padding = new string('v', 1_000);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers, LingerMs = 5 })
            .SetLogHandler((_, _) => { }).Build();
        for (var p = 0; p < Partitions; p++)
        {
            var list = produced[p] = [];
            for (var i = 0; i < PerPartition; i++)
            {
                var value = $"{p}-{i}-{padding}";
                producer.Produce(new TopicPartition(topic, p), new Message<string, string> { Key = $"k{i}", Value = value });
                list.Add(value);
            }
        }
        Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        return produced;
    }

    private StorageSpec Storage(string bucket) => new(StorageType.S3,
        new S3StorageSpec(bucket, "us-east-1", Prefix, s3.Endpoint, true, new S3CredentialsSecretRef("s3", "accessKey", "secretKey")), null);

    private string StorageYaml(string bucket, string indent) => string.Join("\n", new[]
    {
        "storage:",
        "  storageType: s3",
        "  s3:",
        $"    bucket: {bucket}",
        "    region: us-east-1",
        $"    prefix: {Prefix}",
        $"    endpoint: {s3.Endpoint}",
        "    forcePathStyle: true",
        "    credentialsSecret: {name: s3, accessKeyKey: accessKey, secretKeyKey: secretKey}",
    }.Select(l => indent + l));

    private string BackupYaml(string topic, string bucket) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata: {"{"}name: nightly, namespace: crash{"}"}
        spec:
          kafkaCluster:
            bootstrapServers: [{string.Join(", ", kafka.Broker.BootstrapServers.Split(','))}]
          topics: [{topic}]
        {StorageYaml(bucket, "  ")}
          compression: none
          segmentMaxBytes: 65536
          schedule: "* * * * *"

        """;

    private async Task<List<string>> KeysAsync(string bucket, string prefix)
    {
        using var client = s3.CreateClient();
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
        return keys;
    }

    /// <summary><c>kafka-restored run</c> as a child process: polling every second, HTTP off, the allow-all policy, the S3 secret.</summary>
    private DaemonProcess StartDaemon(string state, string secrets) => new(
        ["run", "--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state, "--secrets-dir", secrets, "--http-listen", "off"],
        TestPolicy.WithAllowAll(new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_ProgressCommitInterval"] = "00:00:00.250",
            ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
        }));
}
