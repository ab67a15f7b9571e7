using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Yaml;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources.Policy;

/// <summary>storageType gcs in the model and under the host policy's Gcs list.</summary>
public sealed class GcsPolicyTests
{
    private static readonly PolicyEntry TeamA = new()
    {
        Clusters = ["dr-kafka-*:9092"],
        Secrets = ["gcs-key"],
        Gcs = ["gcs/kafka-backups/team-a/*"],
    };

    private static StorageSpec Gcs(string bucket, string? prefix = null, string? endpoint = null, string? key = "gcs-key") =>
        new(StorageType.Gcs, null, null, Gcs: new GcsStorageSpec(bucket, prefix, endpoint, key is null ? null : new GcsServiceAccountSecretRef(key, "service-account.json")));

    private static PolicyDenial[] Denials(PolicyEntry entry, StorageSpec storage)
    {
        var restore = RestoreKit.Restore("b1", "dr-kafka-0:9092", storage) with { Metadata = new ObjectMeta("r", "team-a", ValueMap.Empty, ValueMap.Empty) };
        return [.. PolicyEvaluator.Evaluate(new HostPolicy(new Dictionary<string, PolicyEntry> { ["team-a"] = entry }), restore)];
    }

    private static string[] Paths(StorageSpec storage) => [.. Denials(TeamA, storage).Select(d => d.FieldPath)];

    [Fact]
    public void Gcs_locations_match_endpoint_bucket_and_prefix_as_a_folder()
    {
        Assert.Equal("gcs/kafka-backups/team-a", PolicyEvaluator.GcsLocation(Gcs("kafka-backups", "/team-a/").Gcs!));
        Assert.Equal("http://127.0.0.1:9199/b1/", PolicyEvaluator.GcsLocation(Gcs("b1", endpoint: "HTTP://127.0.0.1:9199/").Gcs!));

        foreach (var prefix in new[] { "team-a", "/team-a/", "team-a/hourly" })
            Assert.Empty(Paths(Gcs("kafka-backups", prefix)));
        Assert.Equal(["spec.storage.gcs.bucket"], Paths(Gcs("kafka-backups", "team-a-other")));
        Assert.Equal(["spec.storage.gcs.bucket"], Paths(Gcs("other-bucket", "team-a")));
        Assert.Equal(["spec.storage.gcs.endpoint"], Paths(Gcs("kafka-backups", "team-a", "https://evil.example")));
        Assert.Equal(["spec.storage.gcs.prefix"], Paths(Gcs("kafka-backups", "team-a/../team-b")));
        Assert.Equal(["spec.storage.gcs.credentialsSecret.name"], Paths(Gcs("kafka-backups", "team-a", key: "prod-key")));
        // The S3 and Azure lists do not allow GCS locations, however wide.
        var others = new PolicyEntry { Clusters = ["*"], Secrets = ["*"], S3 = ["*"], Azure = ["*"] };
        var denial = Assert.Single(Denials(others, Gcs("kafka-backups", "team-a")));
        Assert.Contains("GCS location gcs/kafka-backups/team-a", denial.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:team-a:Gcs", denial.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_key_the_application_default_credentials_need_at_ambient()
    {
        var ambient = Gcs("kafka-backups", "team-a", key: null);

        var denial = Assert.Single(Denials(TeamA, ambient));

        Assert.Equal("spec.storage.gcs", denial.FieldPath);
        Assert.Contains("application default Google credentials", denial.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:team-a:Secrets", denial.Message, StringComparison.Ordinal);
        Assert.Empty(Denials(new PolicyEntry { Clusters = TeamA.Clusters, Gcs = TeamA.Gcs, Secrets = ["@ambient"] }, ambient));
    }

    [Fact]
    public void A_gcs_storage_block_loads_with_the_default_key_name_and_writes_back_the_same()
    {
        const string yaml = """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {name: r, namespace: team-a}
            spec:
              backupId: b1
              targetCluster: {bootstrapServers: [dr-kafka-0:9092]}
              storage:
                storageType: gcs
                gcs:
                  bucket: kafka-backups
                  prefix: team-a
                  endpoint: https://storage.googleapis.com
                  credentialsSecret: {name: gcs-key}
            """;

        var loaded = ResourceLoader.LoadText("r.yaml", yaml);

        Assert.Empty(loaded.Diagnostics);
        var restore = (KafkaRestore)Assert.Single(loaded.Resources).Resource;
        Assert.Equal(new GcsStorageSpec("kafka-backups", "team-a", "https://storage.googleapis.com", new GcsServiceAccountSecretRef("gcs-key", "service-account.json")),
            restore.Spec.Storage.Gcs);
        var again = ResourceLoader.LoadText("again.yaml", ResourceYaml.Serialize(restore));
        Assert.Empty(again.Diagnostics);
        Assert.Equal(restore.Spec.Storage, ((KafkaRestore)Assert.Single(again.Resources).Resource).Spec.Storage);
    }
}
