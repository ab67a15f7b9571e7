using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources.Loading;

public class ExampleRepoTests
{
    private static readonly string ExampleRepo = Path.Combine(RepoPaths.Root, "examples", "repo");

    public static TheoryData<string> ExampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in ResourceLoader.EnumerateFiles([ExampleRepo], ResourceLoadOptions.Default))
            data.Add(Path.GetRelativePath(ExampleRepo, f));
        return data;
    }

    [Fact]
    public void The_example_repo_validates_without_errors_or_warnings()
    {
        var result = ResourceLoader.LoadPaths([ExampleRepo]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(10, result.FileCount);
        Assert.Equal(
            ["KafkaBackup kafka-backup/orders-nightly", "KafkaRestoreDrill kafka-backup/weekly-orders-drill", "KafkaOffsetReset default/replay-orders", "KafkaOffsetRollback default/rollback-restore",
             "KafkaRestore default/dev-restore", "KafkaRestore default/dr-restore", "KafkaRestore default/full-restore",
             "KafkaRestore default/pitr-restore", "KafkaRestore kafka-backup/production-restore", "KafkaRestore default/simple-restore"],
            result.Resources.Select(r => r.Resource.Id.ToString()));
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public void Every_example_round_trips_through_canonical_yaml(string relative)
    {
        // One file alone: the drill's backupRef names a KafkaBackup of another file (the whole-repository test checks such references).
        var loaded = Assert.Single(ResourceLoader.LoadPaths([Path.Combine(ExampleRepo, relative)], ResourceLoadOptions.Default with { CheckDependencies = false }).Resources).Resource;

        var yaml = ResourceYaml.Serialize(loaded);
        var again = ResourceLoader.ParseFile("canonical.yaml", yaml);

        Assert.Empty(again.FileDiagnostics);
        var document = Assert.Single(again.Documents);
        Assert.Empty(document.Diagnostics);
        var reloaded = document.Resource!;
        Assert.Equal(loaded, reloaded);
        Assert.Equal(yaml, ResourceYaml.Serialize(reloaded));
    }

    [Fact]
    public void The_full_specification_example_is_parsed_into_typed_values()
    {
        var path = Path.Combine(ExampleRepo, "restores", "production-restore.yaml");
        var r = Assert.IsType<KafkaRestore>(Assert.Single(ResourceLoader.LoadPaths([path]).Resources).Resource);

        Assert.Equal(new ResourceId("KafkaRestore", "kafka-backup", "production-restore"), r.Id);
        var s = r.Spec;
        Assert.Equal("production-backup-20241201-120000", s.BackupId);
        Assert.Equal(["kafka-0.kafka.svc:9092", "kafka-1.kafka.svc:9092", "kafka-2.kafka.svc:9092"], s.TargetCluster.BootstrapServers);
        Assert.Equal(SecurityProtocol.SaslSsl, s.TargetCluster.SecurityProtocol);
        Assert.Equal(new TlsSecretRef("kafka-tls", "ca.crt", null, null), s.TargetCluster.TlsSecret);
        Assert.Equal(new SaslSecretRef("kafka-credentials", SaslMechanism.ScramSha256, "username", "password"), s.TargetCluster.SaslSecret);
        Assert.Equal(StorageType.S3, s.Storage.StorageType);
        Assert.Equal(new S3StorageSpec("kafka-backups", "us-west-2", "production/hourly", null, false,
            new S3CredentialsSecretRef("s3-credentials", "accessKey", "secretKey")), s.Storage.S3);
        Assert.Equal(["orders", "payments"], s.Topics!);
        Assert.Equal("restored-orders", s.TopicMapping["orders"]);
        Assert.Equal(DateTimeOffset.Parse("2024-12-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture), s.Pitr!.Timestamp);
        Assert.Equal(1733054400000, s.Pitr.CutoffMillis);
        Assert.True(s.IncludeOriginalOffsetHeader);
        Assert.Equal(OffsetResetStrategy.HeaderBased, s.OffsetReset!.Strategy);
        Assert.Equal(["order-processor", "payment-handler"], s.OffsetReset.ConsumerGroups);
        Assert.Equal(new RollbackSpec(true, "pre-restore-snapshot"), s.Rollback);
        Assert.Equal(new ResourceQuantities(500, 512L * 1024 * 1024), s.Resources!.Requests);
        Assert.Equal(new ResourceQuantities(2000, 2L * 1024 * 1024 * 1024), s.Resources.Limits);
        Assert.Equal(new JobSpec(3, 7200, 86400), s.Job);
        Assert.Null(s.PodTemplate);
        Assert.Equal(OnExistingData.Fail, s.OnExistingData);
    }

    [Fact]
    public void The_reference_full_specification_is_valid_with_warnings_for_podTemplate_and_the_unused_timestamp()
    {
        var path = Path.Combine(ExampleRepo, "restores", "production-restore.yaml");
        var text = File.ReadAllText(path).Replace(
            "      - payment-handler\n", "      - payment-handler\n    timestamp: \"2024-12-01T12:00:00Z\"\n", StringComparison.Ordinal)
            + "  podTemplate:\n    annotations: {}\n    labels: {}\n    nodeSelector: {}\n    tolerations: []\n";

        var result = ResourceLoader.LoadText("full.yaml", text);

        var r = Assert.IsType<KafkaRestore>(Assert.Single(result.Resources).Resource);
        Assert.Equal(PodTemplateSpec.Empty, r.Spec.PodTemplate);
        Assert.False(result.HasErrors);
        Assert.Equal(["UnusedField", "IgnoredField"], result.Diagnostics.Select(d => d.Code));
        Assert.All(result.Diagnostics, d => Assert.Equal(r.Id, d.Resource));
    }
}
