using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Yaml;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Resources.Policy;

/// <summary>storageType azure in the model and under the host policy's Azure list.</summary>
public sealed class AzurePolicyTests
{
    private static HostPolicy Policy(PolicyEntry entry) => new(new Dictionary<string, PolicyEntry> { ["team-a"] = entry });

    private static StorageSpec Azure(string container, string? prefix = null, string? endpoint = null, string? key = "azure-key", string? sas = null) =>
        new(StorageType.Azure, null, null, new AzureStorageSpec(container, "prodbackups", prefix, endpoint,
            key is null ? null : new AzureAccountKeySecretRef(key, "AZURE_STORAGE_KEY"), sas is null ? null : new AzureSasTokenSecretRef(sas, "AZURE_SAS_TOKEN")));

    private static KafkaRestore Restore(StorageSpec storage)
    {
        var r = RestoreKit.Restore("b1", "dr-kafka-0:9092", storage);
        return r with { Metadata = new ObjectMeta("r", "team-a", ValueMap.Empty, ValueMap.Empty) };
    }

    private static string[] Paths(HostPolicy policy, StorageSpec storage) => [.. PolicyEvaluator.Evaluate(policy, Restore(storage)).Select(d => d.FieldPath)];

    private static readonly PolicyEntry TeamA = new()
    {
        Clusters = ["dr-kafka-*:9092"],
        Secrets = ["azure-key", "azure-sas"],
        Azure = ["azure/prodbackups/kafka-backups/team-a/*"],
    };

    [Fact]
    public void Azure_locations_match_endpoint_account_container_and_prefix_as_a_folder()
    {
        Assert.Equal("azure/prodbackups/kafka-backups/team-a", PolicyEvaluator.AzureLocation(Azure("kafka-backups", "/team-a/").Azure!));
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1/prodbackups/c1/",
            PolicyEvaluator.AzureLocation(Azure("c1", endpoint: "HTTP://127.0.0.1:10000/devstoreaccount1/").Azure!));
        var policy = Policy(TeamA);

        foreach (var prefix in new[] { "team-a", "/team-a/", "team-a/hourly" })
            Assert.Empty(Paths(policy, Azure("kafka-backups", prefix)));
        Assert.Empty(Paths(policy, Azure("kafka-backups", "team-a", key: null, sas: "azure-sas")));
        Assert.Equal(["spec.storage.azure.accountName"], Paths(policy, Azure("kafka-backups", "team-a-other")));
        Assert.Equal(["spec.storage.azure.accountName"], Paths(policy, Azure("other-container", "team-a")));
        Assert.Equal(["spec.storage.azure.endpoint"], Paths(policy, Azure("kafka-backups", "team-a", "https://evil.example")));
        Assert.Equal(["spec.storage.azure.prefix"], Paths(policy, Azure("kafka-backups", "team-a/../team-b")));
        Assert.Equal(["spec.storage.azure.credentialsSecret.name"], Paths(policy, Azure("kafka-backups", "team-a", key: "prod-key")));
        Assert.Equal(["spec.storage.azure.sasTokenSecret.name"], Paths(policy, Azure("kafka-backups", "team-a", key: null, sas: "prod-sas")));
        // The S3 list does not allow Azure locations, however wide.
        var s3Only = new PolicyEntry { Clusters = ["*"], Secrets = ["*"], S3 = ["*"] };
        var denial = Assert.Single(PolicyEvaluator.Evaluate(Policy(s3Only), Restore(Azure("kafka-backups", "team-a"))));
        Assert.Contains("Azure location azure/prodbackups/kafka-backups/team-a", denial.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:team-a:Azure", denial.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_key_or_token_the_ambient_credential_needs_at_ambient()
    {
        var ambient = Azure("kafka-backups", "team-a", key: null);

        var denial = Assert.Single(PolicyEvaluator.Evaluate(Policy(TeamA), Restore(ambient)));
        var allowed = new PolicyEntry { Clusters = TeamA.Clusters, Azure = TeamA.Azure, Secrets = ["@ambient"] };

        Assert.Equal("spec.storage.azure", denial.FieldPath);
        Assert.Contains("ambient Azure credential", denial.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:team-a:Secrets", denial.Message, StringComparison.Ordinal);
        Assert.Empty(PolicyEvaluator.Evaluate(Policy(allowed), Restore(ambient)));
    }

    [Fact]
    public void An_azure_storage_block_loads_with_the_operator_defaults_and_writes_back_the_same()
    {
        const string yaml = """
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {name: r, namespace: team-a}
            spec:
              backupId: b1
              targetCluster: {bootstrapServers: [dr-kafka-0:9092]}
              storage:
                storageType: azure
                azure:
                  container: kafka-backups
                  accountName: prodbackups
                  prefix: team-a
                  endpoint: https://prodbackups.blob.core.usgovcloudapi.net
                  credentialsSecret: {name: azure-key}
            """;

        var loaded = ResourceLoader.LoadText("r.yaml", yaml);

        Assert.Empty(loaded.Diagnostics);
        var restore = (KafkaRestore)Assert.Single(loaded.Resources).Resource;
        Assert.Equal(new AzureStorageSpec("kafka-backups", "prodbackups", "team-a", "https://prodbackups.blob.core.usgovcloudapi.net",
            new AzureAccountKeySecretRef("azure-key", "AZURE_STORAGE_KEY"), null), restore.Spec.Storage.Azure);
        var again = ResourceLoader.LoadText("again.yaml", ResourceYaml.Serialize(restore));
        Assert.Empty(again.Diagnostics);
        Assert.Equal(restore.Spec.Storage, ((KafkaRestore)Assert.Single(again.Resources).Resource).Spec.Storage);
    }
}
