using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>The built kafka-restored binary against the GCS emulator: backup, describe --verify and restore -f round trip, an independent read-back, a refused key, a missing bucket and the policy.</summary>
public sealed class GcsCliTests(KafkaFixture kafka, GcsEmulatorFixture gcs) : IClassFixture<KafkaFixture>, IClassFixture<GcsEmulatorFixture>, IDisposable
{
    private const string Prefix = "dr/kafka";
    private readonly TempDir _dir = new("kr-cli-gcs");

    public void Dispose() => _dir.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    /// <summary>A secrets folder whose secret "gcs" holds a service account key for <paramref name="tokenPath"/>.</summary>
    private (string Dir, string Json) Secrets(string tokenPath = "/oauth2/token")
    {
        var dir = _dir.Combine("secrets-" + Guid.NewGuid().ToString("N")[..6]);
        var json = gcs.ServiceAccountJson(tokenPath);
        AzuriteFixture.WriteSecret(dir, "gcs", "service-account.json", json);
        return (dir, json);
    }

    private string[] GcsArgs(string bucket, string secrets, string? endpoint = null) =>
        ["--gcs-bucket", bucket, "--gcs-prefix", Prefix, "--gcs-endpoint", endpoint ?? gcs.Endpoint, "--secrets-dir", secrets, "--gcs-credentials-secret", "gcs"];

    private string ProduceTopic(int records)
    {
        var topic = kafka.Broker.CreateUniqueTopic("gcs", 2);
        using var producer = new ProducerBuilder<string?, string?>(new ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers, LingerMs = 5 }).Build();
        foreach (var i in Enumerable.Range(0, records))
            producer.Produce(new TopicPartition(topic, i % 2), new Message<string?, string?> { Key = $"key-{i}", Value = $"value-{i}", Timestamp = new Timestamp(1_710_000_000_000 + i, TimestampType.CreateTime) });
        producer.Flush(TimeSpan.FromSeconds(30));
        return topic;
    }

    [Fact]
    public async Task Backup_describe_verify_and_restore_round_trip_through_gcs_in_the_folder_layout()
    {
        var topic = ProduceTopic(200);
        var bucket = gcs.NewBucket();
        var (secrets, _) = Secrets();
        var folder = _dir.Combine("folder");

        var backup = Cli(["backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", topic, "--backup-id", "gcs-1", .. GcsArgs(bucket, secrets)]);
        var verify = Cli(["backup", "describe", "--backup-id", "gcs-1", "--verify", .. GcsArgs(bucket, secrets)]);
        var folderBackup = Cli("backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", topic, "--backup-id", "gcs-1", "--path", folder);

        Assert.True(backup.ExitCode == 0, backup.StdOut + backup.StdErr);
        Assert.Contains($"stored at gs://{bucket}/{Prefix}/gcs-1/", backup.StdOut, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        Assert.Contains("records:     200 in 1 topic(s), 2 partition(s)", verify.StdOut, StringComparison.Ordinal);
        Assert.Contains("verified: 2 segment(s)", verify.StdOut, StringComparison.Ordinal);
        Assert.True(folderBackup.ExitCode == 0, folderBackup.StdOut + folderBackup.StdErr);

        // Independent reader: the emulator's JSON API lists and downloads every object under the prefix; the names
        // are the folder backup's relative paths, and the folder reader verifies the downloaded copy.
        var copy = _dir.Combine("downloaded");
        var names = (await gcs.ListAsync(bucket, Prefix + "/")).Select(n => n[(Prefix.Length + 1)..]).ToList();
        foreach (var name in names)
        {
            var target = Path.Combine(copy, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, await gcs.ReadObjectAsync(bucket, $"{Prefix}/{name}"));
        }
        RestoredTopic.AssertCopyLikeFolder(folder, copy, names, "gcs-1", Cli);

        var restoredTopic = kafka.Broker.CreateUniqueTopic("gcs-restored", 2);
        var restore = Cli("restore", "-f", RestoreYaml(bucket, topic, restoredTopic), "--state-dir", _dir.Combine("state"), "--secrets-dir", secrets);
        RestoredTopic.AssertRestoreCompleted(restore, kafka.Broker.BootstrapServers, topic, restoredTopic, 2, 200);
    }

    private string RestoreYaml(string bucket, string source, string target)
    {
        var file = _dir.Combine($"restore-{target}.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: gcs-restore, namespace: ops{"}"}
            spec:
              backupId: gcs-1
              targetCluster:
                bootstrapServers: [{string.Join(", ", kafka.Broker.BootstrapServers.Split(','))}]
              storage:
                storageType: gcs
                gcs:
                  bucket: {bucket}
                  prefix: {Prefix}
                  endpoint: {gcs.Endpoint}
                  credentialsSecret:
                    name: gcs
              topics: [{source}]
              topicMapping:
                {source}: {target}
            """);
        return file;
    }

    [Fact]
    public async Task A_refused_key_is_StorageAccessDenied_without_the_private_key_and_a_missing_bucket_is_BackupNotFound_naming_it()
    {
        var bucket = gcs.NewBucket();
        var (good, _) = Secrets();
        var (refusedDir, refusedJson) = Secrets("/oauth2/refuse");
        await gcs.WriteObjectAsync(bucket, $"{Prefix}/b/manifest.json", [(byte)'{', (byte)'}']);
        var keyLine = JsonDocument.Parse(refusedJson).RootElement.GetProperty("private_key").GetString()!.Split('\n')[1];

        var refused = Cli(["backup", "describe", "--backup-id", "b", .. GcsArgs(bucket, refusedDir)]);
        var missing = Cli(["backup", "describe", "--backup-id", "b", .. GcsArgs("never-created-bucket", good)]);
        var granted = Cli(["backup", "describe", "--backup-id", "b", .. GcsArgs(bucket, good)]);

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("StorageAccessDenied", refused.StdErr, StringComparison.Ordinal);
        Assert.Contains($"GCS bucket '{bucket}'", refused.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(keyLine[..16], refused.StdOut + refused.StdErr, StringComparison.Ordinal);
        // The emulator makes a bucket on first use, so a missing one answers as an empty one: no backup there.
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("BackupNotFound", missing.StdErr, StringComparison.Ordinal);
        Assert.Contains("gs://never-created-bucket/", missing.StdErr, StringComparison.Ordinal);
        // Positive control: the granted key reaches the manifest (an empty one, which the reader rejects as such, not as access).
        Assert.DoesNotContain("StorageAccessDenied", granted.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("BackupNotFound", granted.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_location_outside_Policy_Gcs_is_PolicyDenied_before_any_connection()
    {
        var bucket = gcs.NewBucket();
        var (secrets, _) = Secrets();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var elsewhere = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        var config = _dir.Combine("policy.json");
        await File.WriteAllTextAsync(config, """{"Policy": {"*": {"Secrets": ["gcs"], "Gcs": ["LOCATION"]}}}""".Replace("LOCATION", $"{gcs.Endpoint}/{bucket}/dr/*", StringComparison.Ordinal));

        var denied = Cli(["backup", "describe", "--backup-id", "b", "--config", config, .. GcsArgs(bucket, secrets, elsewhere)]);
        var otherBucket = Cli(["backup", "describe", "--backup-id", "b", "--config", config, .. GcsArgs("other-bucket", secrets)]);
        var allowed = Cli(["backup", "describe", "--backup-id", "b", "--config", config, .. GcsArgs(bucket, secrets)]);

        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("PolicyDenied", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("Policy:*:Gcs", denied.StdErr, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the denied command connected to the endpoint");
        Assert.Equal(1, otherBucket.ExitCode);
        Assert.Contains("PolicyDenied", otherBucket.StdErr, StringComparison.Ordinal);
        // Positive control: the allowed location is reached (and holds no backup b).
        Assert.Equal(1, allowed.ExitCode);
        Assert.Contains("BackupNotFound", allowed.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("PolicyDenied", allowed.StdErr, StringComparison.Ordinal);
    }
}
