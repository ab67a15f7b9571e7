using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Tests.Offsets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>Every preflight failure: its reason and a message naming the object and what to do. Nothing is written.</summary>
public sealed class RestorePreflightTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private Task WriteBackupAsync(string topic, int partitions, int records = 10) =>
        _s.WriteBackupAsync(Enumerable.Range(0, partitions).ToDictionary(p => (topic, p),
            p => (IReadOnlyList<BackupRecord>)[.. Enumerable.Range(0, records).Select(i => RestoreKit.Record(i, 1000 + i, $"k{p}-{i}", "v"))]),
            new Dictionary<string, int> { [topic] = partitions });

    [Fact]
    public async Task A_missing_backup_fails_with_BackupNotFound_naming_the_manifest_path()
    {
        var result = await _s.RunAsync(_s.Restore(s => s with { BackupId = "no-such-backup" }));

        Assert.Equal((RestoreOutcome.Failed, "BackupNotFound"), (result.Outcome, result.Reason));
        Assert.Contains(_s.Path("backups", "no-such-backup", "manifest.json"), result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_cluster_fails_with_ClusterUnreachable_naming_the_bootstrap_servers()
    {
        await WriteBackupAsync("orders", 1);
        var dead = $"127.0.0.1:{S3rverFixture.FreePort()}";
        var restore = _s.Restore(s => s with { TargetCluster = s.TargetCluster with { BootstrapServers = new ValueList<string>([dead]) } });

        var started = DateTime.UtcNow;
        var result = await _s.RunAsync(restore, tuning: EngineScenario.FastTuning with { ConnectTimeout = TimeSpan.FromSeconds(2) });

        Assert.Equal((RestoreOutcome.Failed, "ClusterUnreachable"), (result.Outcome, result.Reason));
        Assert.Contains(dead, result.Message, StringComparison.Ordinal);
        Assert.Contains("bootstrapServers", result.Message, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20));
        Assert.Empty(_s.State.GetCheckpoints("default/restore"));
    }

    [Fact]
    public async Task A_missing_target_topic_the_cluster_cannot_create_fails_with_TopicCreationFailed_and_the_partition_count()
    {
        var topic = "never-created-" + Guid.NewGuid().ToString("N")[..8];
        await WriteBackupAsync(topic, 3);

        var result = await _s.RunAsync(_s.Restore());

        Assert.Equal((RestoreOutcome.Failed, "TopicCreationFailed"), (result.Outcome, result.Reason));
        Assert.Contains($"'{topic}'", result.Message, StringComparison.Ordinal);
        Assert.Contains("create it yourself with 3 partitions", result.Message, StringComparison.Ordinal);
        Assert.Contains("--partitions 3", result.Message, StringComparison.Ordinal);
    }

    [RealKafkaFact("the mock's CreateTopics times out ('Failed while waiting for controller'), so a topic cannot be created")]
    public async Task On_a_real_cluster_a_missing_target_topic_is_created_with_the_backups_partition_count()
    {
        // The mock cannot CreateTopics; this runs when KAFKA_BOOTSTRAP_SERVERS names a real cluster.
        var bootstrap = RealKafkaFactAttribute.Bootstrap!;
        using var dir = new TempDir("kr-create");
        var storage = new FilesystemBackupStorage(dir.Combine("backups"));
        var topic = "kr-created-" + Guid.NewGuid().ToString("N")[..8];
        await RestoreKit.WriteBackupAsync(storage, "b1", Enumerable.Range(0, 3).ToDictionary(p => (topic, p),
            p => (IReadOnlyList<BackupRecord>)[.. Enumerable.Range(0, 5).Select(i => RestoreKit.Record(i, 1000 + i, $"k{p}-{i}", "v"))]),
            new Dictionary<string, int> { [topic] = 3 });

        var result = await EngineRuns.RunAsync(RestoreKit.Restore("b1", bootstrap, RestoreKit.Filesystem(dir.Combine("backups"))),
            new RestoreEnvironment(new SecretStore(null), new FileRestoreStateStore(dir.Combine("state")), "default/create"), null, CancellationToken.None);

        RestoreSelectionTests.AssertCompleted(result);
        using var admin = new Confluent.Kafka.AdminClientBuilder(new Confluent.Kafka.AdminClientConfig { BootstrapServers = bootstrap }).Build();
        Assert.Equal(3, admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Count);
        Assert.Equal([5L, 5, 5], RestoreKit.EndOffsets(bootstrap, topic, 3));
    }

    [Fact]
    public async Task A_target_topic_with_fewer_partitions_fails_with_PartitionCountMismatch()
    {
        var topic = kafka.Broker.CreateUniqueTopic("narrow", 2);
        await WriteBackupAsync(topic, 4);

        var result = await _s.RunAsync(_s.Restore());

        Assert.Equal((RestoreOutcome.Failed, "PartitionCountMismatch"), (result.Outcome, result.Reason));
        Assert.Contains($"'{topic}'", result.Message, StringComparison.Ordinal);
        Assert.Contains("has 2 partitions", result.Message, StringComparison.Ordinal);
        Assert.Contains("needs 4", result.Message, StringComparison.Ordinal);
        Assert.Contains("--partitions 4", result.Message, StringComparison.Ordinal);
        Assert.Contains("spec.topicMapping", result.Message, StringComparison.Ordinal);
        Assert.Equal([0L, 0], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 2));
    }

    [Fact]
    public async Task A_target_partition_holding_foreign_data_fails_with_TargetNotEmpty_unless_appending()
    {
        var topic = kafka.Broker.CreateUniqueTopic("occupied", 2);
        await WriteBackupAsync(topic, 2, records: 5);
        Kcat.Produce(kafka.Broker.BootstrapServers, topic, 1, [("live-1", "x"), ("live-2", "y")]);

        var refused = await _s.RunAsync(_s.Restore());

        Assert.Equal((RestoreOutcome.Failed, "TargetNotEmpty"), (refused.Outcome, refused.Reason));
        Assert.Contains($"{topic}[1]", refused.Message, StringComparison.Ordinal);
        Assert.Contains("onExistingData: append", refused.Message, StringComparison.Ordinal);
        Assert.Equal([0L, 2], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 2));

        var appended = await _s.RunAsync(_s.Restore(s => s with { OnExistingData = OnExistingData.Append }), restoreKey: "default/append");

        RestoreSelectionTests.AssertCompleted(appended);
        var p1 = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 2).Where(r => r.Partition == 1).ToList();
        Assert.Equal(["live-1", "live-2", "k1-0", "k1-1", "k1-2", "k1-3", "k1-4"], p1.Select(r => System.Text.Encoding.UTF8.GetString(r.Key!)));
        Assert.Equal(2, appended.Partitions.Single(p => p.Partition == 1).TargetStartOffset);
    }

    [Fact]
    public async Task A_partition_this_restore_already_wrote_is_not_foreign_data()
    {
        var topic = kafka.Broker.CreateUniqueTopic("rerun", 1);
        await WriteBackupAsync(topic, 1, records: 20);

        RestoreSelectionTests.AssertCompleted(await _s.RunAsync(_s.Restore()));
        var again = await _s.RunAsync(_s.Restore());

        RestoreSelectionTests.AssertCompleted(again);
        Assert.Equal(20, again.RestoredRecords);
        Assert.Equal([20L], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 1));
    }

    [Fact]
    public async Task Resuming_a_run_under_a_changed_spec_fails_with_RestoreStateMismatch()
    {
        var topic = kafka.Broker.CreateUniqueTopic("changed", 1);
        await WriteBackupAsync(topic, 1, records: 20);
        RestoreSelectionTests.AssertCompleted(await _s.RunAsync(_s.Restore()));

        var changed = await _s.RunAsync(_s.Restore(s => s with { Pitr = new PitrSpec(true, null, 1005) }));

        Assert.Equal((RestoreOutcome.Failed, "RestoreStateMismatch"), (changed.Outcome, changed.Reason));
        Assert.Contains($"{topic}[0]", changed.Message, StringComparison.Ordinal);
        Assert.Contains("new restore name", changed.Message, StringComparison.Ordinal);
        Assert.Equal([20L], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 1));
    }

    [Fact]
    public async Task A_missing_sasl_secret_fails_with_SecretNotFound_naming_the_file()
    {
        await WriteBackupAsync("orders", 1);
        using var secrets = new TempDir("kr-secrets");
        var restore = _s.Restore(s => s with
        {
            TargetCluster = s.TargetCluster with
            {
                SecurityProtocol = SecurityProtocol.SaslPlaintext,
                SaslSecret = new SaslSecretRef("kafka-credentials", SaslMechanism.ScramSha256, "username", "password"),
            },
        });

        var result = await _s.RunAsync(restore, secretsDir: secrets.Path);

        Assert.Equal((RestoreOutcome.Failed, "SecretNotFound"), (result.Outcome, result.Reason));
        Assert.Contains(Path.Combine(secrets.Path, "kafka-credentials", "username"), result.Message, StringComparison.Ordinal);
    }
}
