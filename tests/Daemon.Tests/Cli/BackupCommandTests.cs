using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Runs the built kafka-restored binary: backup, describe --verify, refusal of an existing id, corruption found by --verify.</summary>
public sealed class BackupCommandTests(KafkaFixture kafka, S3rverFixture s3) : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDir _dir = new("kr-cli-backup");

    public void Dispose() => _dir.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    private (string A, string B) ProduceTopics()
    {
        var a = kafka.Broker.CreateUniqueTopic("cli-a", 2);
        var b = kafka.Broker.CreateUniqueTopic("cli-b", 1);
        using var producer = new ProducerBuilder<string?, string?>(new ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers, LingerMs = 5 }).Build();
        for (var i = 0; i < 300; i++)
        {
            producer.Produce(new TopicPartition(a, i % 2), new Message<string?, string?>
            {
                Key = i % 3 == 0 ? null : $"k{i}",
                Value = $"v{i}",
                Timestamp = new Timestamp(1_700_000_000_000 + i, TimestampType.CreateTime),
            });
        }
        producer.Produce(new TopicPartition(b, 0), new Message<string?, string?> { Key = "only", Value = null, Timestamp = new Timestamp(1_700_000_000_500, TimestampType.CreateTime) });
        producer.Flush(TimeSpan.FromSeconds(30));
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kafka.Broker.BootstrapServers, GroupId = "cli-group" }).Build();
        consumer.Commit([new TopicPartitionOffset(a, 1, 42)]);
        return (a, b);
    }

    [Fact]
    public void Backup_then_describe_verify_succeeds_and_an_existing_id_is_refused()
    {
        var (a, b) = ProduceTopics();
        var root = _dir.Combine("backups");

        var backup = Cli("backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", $"{a},{b}",
            "--backup-id", "nightly-1", "--compression", "lz4", "--consumer-groups", "cli-group", "--path", root);

        Assert.True(backup.ExitCode == 0, backup.StdOut + backup.StdErr);
        Assert.Contains("progress: 100% 301/301 records, 3/3 partitions", backup.StdOut, StringComparison.Ordinal);
        Assert.Contains("backup 'nightly-1' complete: 301 records in 2 topics, 3 partitions", backup.StdOut, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(root, "nightly-1", "manifest.json")));
        Assert.Contains("\"1\": 42", File.ReadAllText(Path.Combine(root, "nightly-1", "consumer-groups-snapshot.json")), StringComparison.Ordinal);

        var describe = Cli("backup", "describe", "--backup-id", "nightly-1", "--path", root, "--verify");

        Assert.True(describe.ExitCode == 0, describe.StdOut + describe.StdErr);
        Assert.Contains("records:     301 in 2 topic(s), 3 partition(s)", describe.StdOut, StringComparison.Ordinal);
        Assert.Contains("compression: lz4", describe.StdOut, StringComparison.Ordinal);
        Assert.Contains("time range:  2023-11-14T22:13:20.000Z .. 2023-11-14T22:13:20.500Z", describe.StdOut, StringComparison.Ordinal);
        Assert.Contains("verified: 3 segment(s)", describe.StdOut, StringComparison.Ordinal);

        var again = Cli("backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", a, "--backup-id", "nightly-1", "--path", root);

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("BackupExists", again.StdErr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(root, "nightly-1", "manifest.json"), again.StdErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_stops_a_backup_cleanly_with_exit_130_and_says_the_id_is_incomplete(string signal)
    {
        var root = _dir.Combine("signal-backups");
        // A broker that accepts connections and never answers keeps the backup waiting, so the signal always comes mid-backup.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        var psi = new System.Diagnostics.ProcessStartInfo(apphost) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "backup", "--bootstrap-servers", $"127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}", "--topics", "t", "--backup-id", "cut-1", "--path", root })
            psi.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var connection = await silent.AcceptSocketAsync().WaitAsync(TimeSpan.FromMinutes(1));

        ProcessRunner.Run("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).EnsureSuccess("kill");
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the backup did not stop within a minute of SIG" + signal);
        process.WaitForExit();
        var (output, error) = (await stdout, await stderr);

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{output}\n{error}");
        Assert.Equal("kafka-restored backup: interrupted: backup 'cut-1' is incomplete (no manifest.json was written, so no restore can use it); " +
            "delete its folder (or prefix) before running again with the same --backup-id, or choose another id.\n", error);
        Assert.False(File.Exists(Path.Combine(root, "cut-1", "manifest.json")));
    }

    [Fact]
    public void Backup_with_a_config_is_checked_against_the_policy_of_every_namespace()
    {
        var (a, _) = ProduceTopics();
        var root = _dir.Combine("policy-backups");
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        // team-a may reach the cluster and the folder, but a backup has no namespace: only Policy:* counts.
        var teamOnly = _dir.Combine("team-only.json");
        File.WriteAllText(teamOnly, """{"Policy": {"team-a": {"Clusters": [BROKERS], "Folders": ["ROOT"]}}}""".Replace("BROKERS", brokers, StringComparison.Ordinal).Replace("ROOT", root, StringComparison.Ordinal));
        var everyNamespace = _dir.Combine("every-namespace.json");
        File.WriteAllText(everyNamespace, """{"Policy": {"*": {"Clusters": [BROKERS], "Folders": ["ROOT"]}}}""".Replace("BROKERS", brokers, StringComparison.Ordinal).Replace("ROOT", root, StringComparison.Ordinal));
        string[] args = ["backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", a, "--backup-id", "checked-1", "--path", root];

        var denied = Cli([.. args, "--config", teamOnly]);

        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("PolicyDenied", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("Policy:*:Clusters", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("nothing was run", denied.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "checked-1")));

        // Positive control: the same backup under a Policy:* allowing both runs to the end.
        var allowed = Cli([.. args, "--config", everyNamespace]);
        Assert.True(allowed.ExitCode == 0, allowed.StdOut + allowed.StdErr);
        Assert.True(File.Exists(Path.Combine(root, "checked-1", "manifest.json")));
    }

    [Fact]
    public void On_a_terminal_progress_is_one_redrawn_bar_instead_of_lines()
    {
        var (a, b) = ProduceTopics();
        var root = _dir.Combine("backups");
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        var run = ProcessRunner.RunOnTerminal(apphost, ["backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", $"{a},{b}",
            "--backup-id", "tty-1", "--path", root], TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("\r[##############################] 100% 301/301 records, 3/3 partitions", run.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("progress:", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("backup 'tty-1' complete: 301 records", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Describe_shows_topics_partitions_records_bytes_time_range_and_gaps()
    {
        var root = _dir.Combine("described");
        var storage = new KafkaRestored.Restore.Storage.FilesystemBackupStorage(root);
        await using (var writer = new KafkaRestored.Restore.Backups.Writing.BackupWriter(storage, "d1", KafkaRestored.Restore.Backups.Kbak.BackupCompression.None))
        {
            // orders/0: offsets 0..9; orders/1: offsets 40..44 after a gap [0, 40); audit/0: 3 records; audit/1 empty.
            for (var i = 0; i < 10; i++) await writer.AppendAsync("orders", 0, Record(i, 1_700_000_000_000 + (i * 1000)), CancellationToken.None);
            for (var i = 40; i < 45; i++) await writer.AppendAsync("orders", 1, Record(i, 1_700_000_100_000 + i), CancellationToken.None);
            for (var i = 0; i < 3; i++) await writer.AppendAsync("audit", 0, Record(i, 1_699_999_000_000 + i), CancellationToken.None);
            await writer.CompleteAsync(new Dictionary<string, int> { ["orders"] = 2, ["audit"] = 2 }, "prod-eu", ["k1:9092", "k2:9092"], null,
                new Dictionary<(string, int), IReadOnlyList<KafkaRestored.Restore.Backups.BackupGap>>
                {
                    [("orders", 1)] = [new(0, 40, "deleted by retention", 1_700_000_200_000)],
                }, CancellationToken.None);
        }
        var stored = Directory.GetFiles(Path.Combine(root, "d1", "topics"), "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        var describe = Cli("backup", "describe", "--backup-id", "d1", "--path", root, "--verify");

        Assert.True(describe.ExitCode == 0, describe.StdOut + describe.StdErr);
        var o = describe.StdOut;
        Assert.Contains("source:      cluster prod-eu, brokers k1:9092,k2:9092", o, StringComparison.Ordinal);
        Assert.Contains("records:     18 in 2 topic(s), 4 partition(s), 3 segment(s)", o, StringComparison.Ordinal);
        Assert.Contains($"bytes:       {stored / 1024.0:0.0} KiB stored", o, StringComparison.Ordinal);
        Assert.Contains("time range:  2023-11-14T21:56:40.000Z .. 2023-11-14T22:15:00.044Z", o, StringComparison.Ordinal);
        Assert.Matches(@"\norders\s+2\s+2\s+15\s", o);
        Assert.Matches(@"\naudit\s+2\s+1\s+3\s", o);
        Assert.Contains("gaps:        1 (offsets the source had deleted: known loss)", o, StringComparison.Ordinal);
        Assert.Contains("  orders/1: offsets 0..39 (40 records): deleted by retention", o, StringComparison.Ordinal);
        Assert.Contains("verified: 3 segment(s), CRC, format and counts OK", o, StringComparison.Ordinal);
    }

    private static KafkaRestored.Restore.Backups.Kbak.BackupRecord Record(long offset, long timestamp) =>
        new() { Offset = offset, Timestamp = timestamp, Key = [(byte)offset], Value = new byte[100] };

    [Fact]
    public void Describe_verify_names_a_corrupt_segment_and_exits_1()
    {
        var (a, _) = ProduceTopics();
        var root = _dir.Combine("backups");
        var backup = Cli("backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", a, "--backup-id", "b", "--compression", "none", "--path", root);
        Assert.True(backup.ExitCode == 0, backup.StdOut + backup.StdErr);
        var segment = Directory.GetFiles(Path.Combine(root, "b", "topics", a, "partition=1")).Single();
        var bytes = File.ReadAllBytes(segment);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(segment, bytes);

        var plain = Cli("backup", "describe", "--backup-id", "b", "--path", root);
        var verify = Cli("backup", "describe", "--backup-id", "b", "--path", root, "--verify");

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("PROBLEM CorruptSegment", verify.StdOut, StringComparison.Ordinal);
        Assert.Contains(segment, verify.StdOut, StringComparison.Ordinal);
        Assert.Contains("verification failed: 1 problem(s) in 2 segment(s)", verify.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_to_an_s3_compatible_store_with_credentials_from_a_secret_or_the_default_chain()
    {
        var (a, b) = ProduceTopics();
        var bucket = await s3.CreateBucketAsync();
        var secrets = S3rverFixture.WriteCredentialsSecret(_dir.Combine("secrets"));
        string[] s3Args = ["--s3-bucket", bucket, "--s3-prefix", "dr/kafka", "--s3-endpoint", s3.Endpoint, "--s3-force-path-style",
            "--secrets-dir", secrets, "--s3-credentials-secret", "s3"];

        var backup = Cli(["backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", a, "--topics", b, "--backup-id", "s3-1", .. s3Args]);
        var verify = Cli(["backup", "describe", "--backup-id", "s3-1", "--verify", .. s3Args]);

        Assert.True(backup.ExitCode == 0, backup.StdOut + backup.StdErr);
        Assert.Contains($"stored at s3://{bucket}/dr/kafka/s3-1/", backup.StdOut, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        Assert.Contains("compression: zstd", verify.StdOut, StringComparison.Ordinal);
        Assert.Contains("verified: 3 segment(s)", verify.StdOut, StringComparison.Ordinal);

        // Without --s3-credentials-secret the SDK's default chain is used: here, the environment.
        string[] chainArgs = ["backup", "describe", "--backup-id", "s3-1", "--s3-bucket", bucket, "--s3-prefix", "dr/kafka", "--s3-endpoint", s3.Endpoint, "--s3-force-path-style"];
        var fromEnvironment = CliWithEnvironment(chainArgs, S3rverFixture.AccessKey, S3rverFixture.SecretKey);
        var wrongEnvironment = CliWithEnvironment(chainArgs, "WRONGKEY", "WRONGSECRET");

        Assert.True(fromEnvironment.ExitCode == 0, fromEnvironment.StdOut + fromEnvironment.StdErr);
        Assert.Contains("records:     301 in 2 topic(s)", fromEnvironment.StdOut, StringComparison.Ordinal);
        Assert.Equal(1, wrongEnvironment.ExitCode);
        Assert.Contains("StorageAccessDenied", wrongEnvironment.StdErr, StringComparison.Ordinal);
        Assert.Contains("default credential chain", wrongEnvironment.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("WRONGSECRET", wrongEnvironment.StdErr, StringComparison.Ordinal);
    }

    private static ProcessResult CliWithEnvironment(string[] args, string accessKey, string secretKey)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2), environment: new Dictionary<string, string?>
        {
            ["AWS_ACCESS_KEY_ID"] = accessKey,
            ["AWS_SECRET_ACCESS_KEY"] = secretKey,
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
        });
    }

    [Fact]
    public void Missing_backup_and_bad_usage_have_distinct_exit_codes()
    {
        var missing = Cli("backup", "describe", "--backup-id", "nope", "--path", _dir.Path);
        var both = Cli("backup", "describe", "--backup-id", "x", "--path", _dir.Path, "--s3-bucket", "b");
        var badCompression = Cli("backup", "--bootstrap-servers", "x:1", "--topics", "t", "--backup-id", "x", "--path", _dir.Path, "--compression", "gzip");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("BackupNotFound", missing.StdErr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir.Path, "nope", "manifest.json"), missing.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("either --path", both.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, badCompression.ExitCode);
        var hugeSegments = Cli("backup", "--bootstrap-servers", "x:1", "--topics", "t", "--backup-id", "x", "--path", _dir.Path, "--segment-max-bytes", "4294967296");
        Assert.Equal(2, hugeSegments.ExitCode);
        Assert.Contains("--segment-max-bytes 4294967296 must be between 1024 and 1073741824", hugeSegments.StdErr, StringComparison.Ordinal);

        var badId = Cli("backup", "describe", "--backup-id", "../etc", "--path", _dir.Path);
        var saslWithoutProtocol = Cli("backup", "--bootstrap-servers", "x:1", "--topics", "t", "--backup-id", "x", "--path", _dir.Path, "--sasl-secret", "s");
        var missingTls = Cli("backup", "--bootstrap-servers", "x:1", "--topics", "t", "--backup-id", "x", "--path", _dir.Path,
            "--security-protocol", "ssl", "--tls-secret", "kafka-tls", "--secrets-dir", _dir.Path);

        Assert.Equal(2, badId.ExitCode);
        Assert.Contains("must be a plain name", badId.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, saslWithoutProtocol.ExitCode);
        Assert.Equal(1, missingTls.ExitCode);
        Assert.Contains("SecretNotFound", missingTls.StdErr, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir.Path, "kafka-tls", "ca.crt"), missingTls.StdErr, StringComparison.Ordinal);
    }
}
