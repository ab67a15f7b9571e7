using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>A fact that is skipped, with the reason, only when stunnel4 or openssl is missing (CI installs both).</summary>
public sealed class TlsFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="TlsKafka.MissingTools"/>.</summary>
    public TlsFactAttribute()
    {
        if (TlsKafka.MissingTools is { } missing) Skip = missing;
    }
}

/// <summary>
/// TLS for real: stunnel4 in front of every broker of the hosted cluster, the brokers advertising
/// the proxies, the restore configured with securityProtocol SSL and a tlsSecret CA read from
/// secret files. Success is checked record by record with kcat over TLS. The backup command
/// reads the same cluster with --security-protocol ssl and --tls-secret.
/// </summary>
public sealed class RestoreOverTlsTests(TlsKafkaFixture tls, ITestOutputHelper output) : IClassFixture<TlsKafkaFixture>, IDisposable
{
    private const int Partitions = 3;
    private const int RecordsPerPartition = 200;
    private readonly TempDir _secrets = new("kr-tls-secrets");
    private EngineScenario? _scenario;

    public void Dispose()
    {
        _scenario?.Dispose();
        _secrets.Dispose();
    }

    private async Task<(EngineScenario Scenario, string Topic)> BackupAsync(TlsKafka cluster)
    {
        _scenario = new EngineScenario(cluster.Broker);
        var source = "orders";
        await _scenario.WriteBackupAsync(
            Enumerable.Range(0, Partitions).ToDictionary(p => (source, p),
                p => (IReadOnlyList<BackupRecord>)[.. Enumerable.Range(0, RecordsPerPartition)
                    .Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{p}-{i}", $"tls-{p}-{i}"))]),
            new Dictionary<string, int> { [source] = Partitions }, segmentRecords: 64);
        return (_scenario, cluster.Broker.CreateUniqueTopic("tls-restored", Partitions));
    }

    /// <summary>Writes one secret file, mode 0600, as a Kubernetes secret volume would hold it.</summary>
    private void Secret(string name, string key, string sourceFile)
    {
        Directory.CreateDirectory(_secrets.Combine(name));
        var path = _secrets.Combine(name, key);
        File.Copy(sourceFile, path, overwrite: true);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static KafkaRestore Tls(EngineScenario s, TlsKafka cluster, string target, TlsSecretRef? secret) =>
        s.Restore(spec => spec with
        {
            TargetCluster = new KafkaClusterSpec(new ValueList<string>(cluster.BootstrapServers.Split(',')), SecurityProtocol.Ssl, secret, null, null),
            TopicMapping = new ValueMap(new Dictionary<string, string> { ["orders"] = target }),
        });

    private static void AssertEveryRecordExactlyOnce(TlsKafka cluster, string target)
    {
        var read = Kcat.ReadTopic(cluster.BootstrapServers, target, cluster.KcatProperties());
        var expected = Enumerable.Range(0, Partitions)
            .SelectMany(p => Enumerable.Range(0, RecordsPerPartition).Select(i => (p, (long)i, $"k{p}-{i}", $"tls-{p}-{i}", 1_700_000_000_000L + i)))
            .ToList();
        Assert.Equal(expected, read.Select(r => (r.Partition, r.Offset, r.Key!, r.Value!, r.Timestamp)).ToList());
    }

    [TlsFact]
    public async Task A_restore_with_securityProtocol_SSL_and_a_tlsSecret_CA_writes_every_record_exactly_once_through_the_TLS_proxy()
    {
        var cluster = tls.Cluster;
        var (s, target) = await BackupAsync(cluster);
        Secret("kafka-tls", "ca.crt", cluster.CaPath);

        var result = await s.RunAsync(Tls(s, cluster, target, new TlsSecretRef("kafka-tls", "ca.crt", null, null)), secretsDir: _secrets.Path,
            tuning: EngineScenario.FastTuning with { ConnectTimeout = TimeSpan.FromSeconds(30) });

        Assert.True(result.Outcome == RestoreOutcome.Completed, $"{result.Reason}: {result.Message}\nstunnel:\n{cluster.ProxyLog}");
        Assert.Equal(Partitions * RecordsPerPartition, result.RestoredRecords);
        AssertEveryRecordExactlyOnce(cluster, target);
        output.WriteLine($"TLS restore: {result.RestoredRecords} records through {cluster.BootstrapServers}; kcat over TLS read each exactly once");
    }

    [TlsFact]
    public async Task A_wrong_CA_fails_with_TlsCertificateNotTrusted_naming_the_bootstrap_servers_and_writes_nothing()
    {
        var cluster = tls.Cluster;
        var (s, target) = await BackupAsync(cluster);
        Secret("kafka-tls", "ca.crt", cluster.WrongCaPath);

        var result = await s.RunAsync(Tls(s, cluster, target, new TlsSecretRef("kafka-tls", "ca.crt", null, null)), secretsDir: _secrets.Path,
            tuning: EngineScenario.FastTuning with { ConnectTimeout = TimeSpan.FromSeconds(5) });

        Assert.Equal((RestoreOutcome.Failed, "TlsCertificateNotTrusted"), (result.Outcome, result.Reason));
        Assert.Contains($"at {cluster.BootstrapServers} over TLS", result.Message, StringComparison.Ordinal);
        Assert.Contains("could not be verified", result.Message, StringComparison.Ordinal);
        Assert.Contains("spec.targetCluster.tlsSecret", result.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ssl.ca.location", result.Message, StringComparison.Ordinal);
        foreach (var line in PemBodyLines(cluster.WrongCaPath)) Assert.DoesNotContain(line, result.Message, StringComparison.Ordinal);
        Assert.Equal(new long[Partitions], RestoreKit.EndOffsets(cluster.ClientConfig(), target, Partitions));
        output.WriteLine($"wrong CA: {result.Reason}: {result.Message}");
    }

    [TlsFact]
    public async Task SSL_without_a_tlsSecret_uses_the_system_CAs_and_says_so_when_they_do_not_trust_the_brokers()
    {
        var cluster = tls.Cluster;
        var (s, target) = await BackupAsync(cluster);

        var result = await s.RunAsync(Tls(s, cluster, target, secret: null),
            tuning: EngineScenario.FastTuning with { ConnectTimeout = TimeSpan.FromSeconds(5) });

        Assert.Equal((RestoreOutcome.Failed, "TlsCertificateNotTrusted"), (result.Outcome, result.Reason));
        Assert.Contains("system's CA bundle", result.Message, StringComparison.Ordinal);
        Assert.Contains(cluster.BootstrapServers, result.Message, StringComparison.Ordinal);
    }

    [TlsFact]
    public async Task SSL_against_a_plaintext_listener_fails_with_TlsHandshakeFailed_naming_the_bootstrap_servers()
    {
        var cluster = tls.Cluster;
        var (s, target) = await BackupAsync(cluster);
        Secret("kafka-tls", "ca.crt", cluster.CaPath);
        // The brokers' own plaintext listeners, behind the proxies: a TLS client gets no handshake there.
        var plaintext = cluster.Broker.BootstrapServers;
        var restore = Tls(s, cluster, target, new TlsSecretRef("kafka-tls", "ca.crt", null, null));
        restore = restore with { Spec = restore.Spec with { TargetCluster = restore.Spec.TargetCluster with { BootstrapServers = new ValueList<string>(plaintext.Split(',')) } } };

        var result = await s.RunAsync(restore, secretsDir: _secrets.Path, tuning: EngineScenario.FastTuning with { ConnectTimeout = TimeSpan.FromSeconds(5) });

        Assert.Equal((RestoreOutcome.Failed, "TlsHandshakeFailed"), (result.Outcome, result.Reason));
        Assert.Contains($"at {plaintext} over TLS", result.Message, StringComparison.Ordinal);
        Assert.Contains("securityProtocol", result.Message, StringComparison.Ordinal);
        output.WriteLine($"plaintext listener: {result.Reason}: {result.Message}");
    }

    [TlsFact]
    public async Task Offset_tools_reach_the_cluster_over_TLS_and_name_an_untrusted_certificate_too()
    {
        var cluster = tls.Cluster;
        var topic = cluster.Broker.CreateUniqueTopic("tls-offsets", 2);
        Secret("kafka-tls", "ca.crt", cluster.CaPath);
        Secret("kafka-wrong-ca", "ca.crt", cluster.WrongCaPath);
        KafkaClusterSpec Spec(string secret) =>
            new(new ValueList<string>(cluster.BootstrapServers.Split(',')), SecurityProtocol.Ssl, new TlsSecretRef(secret, "ca.crt", null, null), null, null);
        var source = new ResourceId(ResourceKinds.KafkaOffsetRollback, "default", "tls-snapshot");

        var snapshot = await new OffsetSnapshotter(Spec("kafka-tls"), new SecretStore(_secrets.Path)) { Timeout = TimeSpan.FromSeconds(30) }
            .TakeAsync("tls-snapshot", source, ["no-commits-yet"], [topic], CancellationToken.None);
        var refused = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            new OffsetSnapshotter(Spec("kafka-wrong-ca"), new SecretStore(_secrets.Path)) { Timeout = TimeSpan.FromSeconds(5) }
                .TakeAsync("tls-snapshot-2", source, ["no-commits-yet"], [topic], CancellationToken.None));

        Assert.Equal([topic], snapshot.Topics);
        Assert.Equal("TlsCertificateNotTrusted", refused.Reason);
        Assert.Contains($"at {cluster.BootstrapServers} over TLS", refused.Message, StringComparison.Ordinal);
        Assert.Contains("could not be verified", refused.Message, StringComparison.Ordinal);
        Assert.Contains("No offset was read or changed.", refused.Message, StringComparison.Ordinal);
    }

    [TlsFact]
    public async Task Mutual_TLS_with_the_tlsSecret_certKey_and_keyKey_restores_every_record_exactly_once()
    {
        using var cluster = TlsKafka.Start(brokerCount: 1, requireClientCertificate: true);
        var (s, target) = await BackupAsync(cluster);
        Secret("kafka-mtls", "ca.crt", cluster.CaPath);
        Secret("kafka-mtls", "tls.crt", cluster.ClientCertificatePath);
        Secret("kafka-mtls", "tls.key", cluster.ClientKeyPath);

        var result = await s.RunAsync(Tls(s, cluster, target, new TlsSecretRef("kafka-mtls", "ca.crt", "tls.crt", "tls.key")), secretsDir: _secrets.Path,
            tuning: EngineScenario.FastTuning with { ConnectTimeout = TimeSpan.FromSeconds(30) });

        Assert.True(result.Outcome == RestoreOutcome.Completed, $"{result.Reason}: {result.Message}\nstunnel:\n{cluster.ProxyLog}");
        AssertEveryRecordExactlyOnce(cluster, target);
    }

    [TlsFact]
    public async Task The_backup_command_reads_a_cluster_over_TLS_with_a_tlsSecret_CA()
    {
        var cluster = tls.Cluster;
        var topic = cluster.Broker.CreateUniqueTopic("tls-backup", 2);
        var config = new Confluent.Kafka.ProducerConfig(cluster.ClientConfig().ToDictionary(p => p.Key, p => p.Value));
        using (var producer = new Confluent.Kafka.ProducerBuilder<string, string>(config).Build())
        {
            for (var i = 0; i < 200; i++)
            {
                producer.Produce(new Confluent.Kafka.TopicPartition(topic, i % 2), new Confluent.Kafka.Message<string, string>
                {
                    Key = $"k{i}",
                    Value = $"tls-{i}",
                    Timestamp = new Confluent.Kafka.Timestamp(1_700_000_000_000 + i, Confluent.Kafka.TimestampType.CreateTime),
                });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }
        Secret("kafka-tls", "ca.crt", cluster.CaPath);
        using var root = new TempDir("kr-tls-backup");
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");

        var run = ProcessRunner.Run(apphost, ["backup", "--bootstrap-servers", cluster.BootstrapServers, "--topics", topic, "--backup-id", "tls-1",
            "--security-protocol", "ssl", "--tls-secret", "kafka-tls", "--secrets-dir", _secrets.Path, "--path", root.Path], timeout: TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, $"{run.StdOut}{run.StdErr}\nstunnel:\n{cluster.ProxyLog}");
        var storage = new KafkaRestored.Restore.Storage.FilesystemBackupStorage(root.Path);
        var manifest = await KafkaRestored.Restore.Backups.BackupManifestStore.ReadAsync(storage, "tls-1", CancellationToken.None);
        var read = new List<string>();
        foreach (var partition in manifest.Topics.Single().Partitions)
        {
            foreach (var segment in partition.Segments)
            {
                await foreach (var r in SegmentReader.ReadAsync(storage, segment.Key, CancellationToken.None))
                    read.Add($"{partition.PartitionId}/{r.Offset}@{r.Timestamp} {System.Text.Encoding.UTF8.GetString(r.Key!)}={System.Text.Encoding.UTF8.GetString(r.Value!)}");
            }
        }
        var expected = Enumerable.Range(0, 2).SelectMany(p => Enumerable.Range(0, 100).Select(j => (p, j, i: (j * 2) + p)))
            .Select(x => $"{x.p}/{x.j}@{1_700_000_000_000 + x.i} k{x.i}=tls-{x.i}");
        Assert.Equal(expected, read);
    }

    /// <summary>The base64 lines of a PEM file: any one of them in a message would be a leak.</summary>
    internal static IEnumerable<string> PemBodyLines(string path) =>
        File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal));
}
