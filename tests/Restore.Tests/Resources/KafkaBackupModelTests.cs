using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Yaml;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Resources;

/// <summary>Issue #24: the KafkaBackup kind read with OSO's field names, its canonical YAML, and the host policy over what it reaches.</summary>
public sealed class KafkaBackupModelTests
{
    internal const string Full = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaBackup
        metadata:
          name: orders-nightly
          namespace: team-a
        spec:
          kafkaCluster:
            bootstrapServers: ["kafka-1:9092", "kafka-2:9092"]
            securityProtocol: SASL_SSL
            tlsSecret: {name: kafka-tls, caKey: ca.crt}
            saslSecret: {name: kafka-user, mechanism: SCRAM-SHA-512, usernameKey: username, passwordKey: password}
          topics: [orders, payments]
          storage:
            storageType: s3
            s3: {bucket: kafka-backups, region: eu-west-1, prefix: team-a, credentialsSecret: {name: s3-keys, accessKeyKey: a, secretKeyKey: s}}
          compression: lz4
          compressionLevel: 9
          segmentMaxBytes: 1048576
          includeOffsetHeaders: true
          sourceClusterId: prod-eu
          consumerGroupSnapshot:
            enabled: true
            consumerGroups: [billing, shipping]
          schedule: "CRON_TZ=Europe/Berlin 0 2 * * *"
          retention: {enabled: true, maxAgeDays: 30, keepLast: 7, dryRun: false}
          suspend: true
        """;

    [Fact]
    public void Every_OSO_field_is_read_into_the_spec()
    {
        var b = Assert.IsType<KafkaBackup>(Single(Full));

        Assert.Equal((ResourceKinds.KafkaBackup, "team-a", "orders-nightly"), (b.Kind, b.Metadata.Namespace, b.Metadata.Name));
        var s = b.Spec;
        Assert.Equal(["kafka-1:9092", "kafka-2:9092"], s.KafkaCluster.BootstrapServers);
        Assert.Equal(("kafka-tls", "kafka-user"), (s.KafkaCluster.TlsSecret!.Name, s.KafkaCluster.SaslSecret!.Name));
        Assert.Equal(["orders", "payments"], s.Topics);
        Assert.Equal(("kafka-backups", "team-a"), (s.Storage.S3!.Bucket, s.Storage.S3.Prefix));
        Assert.Equal((BackupCompression.Lz4, (int?)9, 1048576L, true, "prod-eu"),
            (s.Compression, s.CompressionLevel, s.SegmentMaxBytes, s.IncludeOffsetHeaders, s.SourceClusterId));
        Assert.Equal(new ConsumerGroupSnapshotSpec(true, new ValueList<string>(["billing", "shipping"])), s.ConsumerGroupSnapshot);
        Assert.Equal("CRON_TZ=Europe/Berlin 0 2 * * *", s.Schedule);
        Assert.Equal(new BackupRetentionSpec(true, 30, 7, false), s.Retention);
        Assert.True(b.Suspend);
    }

    [Fact]
    public void Omitted_fields_take_the_backup_commands_defaults()
    {
        var b = Assert.IsType<KafkaBackup>(Single("""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaBackup
            metadata: {name: nightly}
            spec:
              kafkaCluster: {bootstrapServers: ["kafka:9092"]}
              topics: [orders]
              storage: {storageType: filesystem, filesystem: {path: /var/backups/kafka}}
              schedule: "0 2 * * *"
            """));

        Assert.Equal((BackupCompression.Zstd, (int?)null, KafkaBackupSpec.DefaultSegmentMaxBytes, false, (string?)null, (BackupRetentionSpec?)null, false),
            (b.Spec.Compression, b.Spec.CompressionLevel, b.Spec.SegmentMaxBytes, b.Spec.IncludeOffsetHeaders, b.Spec.SourceClusterId, b.Spec.Retention, b.Suspend));
    }

    [Theory]
    [InlineData("0 2 * * *")]
    [InlineData("30 0 2 * * *")]
    [InlineData("@hourly")]
    [InlineData("TZ=America/New_York 0 2 * * 1-5")]
    public void Schedules_of_five_or_six_fields_macros_and_zone_prefixes_are_accepted(string schedule)
    {
        var b = Assert.IsType<KafkaBackup>(Single(Full.Replace("CRON_TZ=Europe/Berlin 0 2 * * *", schedule, StringComparison.Ordinal)));
        Assert.Equal(schedule, b.Spec.Schedule);
    }

    [Fact]
    public void Canonical_yaml_reads_back_to_the_same_backup()
    {
        var b = Single(Full);
        var yaml = ResourceYaml.Serialize(b);

        var back = ResourceLoader.LoadText("t.yaml", yaml);

        Assert.True(back.Diagnostics.Count == 0, string.Join("\n", back.Diagnostics) + "\n" + yaml);
        Assert.Equal(b, Assert.Single(back.Resources).Resource);
        Assert.Equal(yaml, ResourceYaml.Serialize(back.Resources[0].Resource));
    }

    [Fact]
    public void A_name_too_long_for_its_backup_ids_is_refused_and_one_that_fits_is_not()
    {
        string Yaml(int length) => Full.Replace("name: orders-nightly", "name: " + new string('a', length), StringComparison.Ordinal);

        var refused = ResourceLoader.LoadText("t.yaml", Yaml(240));
        var accepted = ResourceLoader.LoadText("t.yaml", Yaml(239));

        var error = Assert.Single(refused.Diagnostics);
        Assert.Contains("at most 239 characters", error.Message, StringComparison.Ordinal);
        Assert.Empty(accepted.Diagnostics);
    }

    [Fact]
    public void The_policy_governs_its_cluster_secrets_and_storage_like_a_restores()
    {
        var b = Single(Full);
        var allowAll = new HostPolicy(new Dictionary<string, PolicyEntry>
        {
            ["team-a"] = new() { Clusters = ["kafka-*:9092"], Secrets = ["kafka-tls", "kafka-user", "s3-keys"], S3 = ["aws/kafka-backups/team-a*"] },
        });
        var narrow = new HostPolicy(new Dictionary<string, PolicyEntry>
        {
            ["team-a"] = new() { Clusters = ["kafka-1:9092"], Secrets = ["kafka-tls"], S3 = ["aws/other-bucket/*"] },
        });

        Assert.Empty(PolicyEvaluator.Evaluate(allowAll, b));
        Assert.Equal(
            ["spec.kafkaCluster.bootstrapServers[1]", "spec.kafkaCluster.saslSecret.name", "spec.storage.s3.bucket", "spec.storage.s3.credentialsSecret.name"],
            PolicyEvaluator.Evaluate(narrow, b).Select(d => d.FieldPath).Order(StringComparer.Ordinal));
    }
}
