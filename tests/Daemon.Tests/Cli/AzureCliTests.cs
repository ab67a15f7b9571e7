using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>The built kafka-restored binary against Azurite: backup, describe --verify and restore -f round trip, an independent read-back, credentials, a missing container and the policy.</summary>
public sealed class AzureCliTests(KafkaFixture kafka, AzuriteFixture azurite) : IClassFixture<KafkaFixture>, IClassFixture<AzuriteFixture>, IDisposable
{
    private const string WrongKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk=";
    private readonly TempDir _dir = new("kr-cli-azure");

    public void Dispose() => _dir.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    private string Secrets(string key = AzuriteFixture.AccountKey)
    {
        var dir = _dir.Combine("secrets-" + Guid.NewGuid().ToString("N")[..6]);
        AzuriteFixture.WriteSecret(dir, "azure", "AZURE_STORAGE_KEY", key);
        return dir;
    }

    private string[] AzureArgs(string container, string secrets, string? endpoint = null) =>
        ["--azure-container", container, "--azure-account", AzuriteFixture.AccountName, "--azure-prefix", "dr/kafka",
         "--azure-endpoint", endpoint ?? azurite.Endpoint, "--secrets-dir", secrets, "--azure-credentials-secret", "azure"];

    private string ProduceTopic()
    {
        var topic = kafka.Broker.CreateUniqueTopic("az", 2);
        using var producer = new ProducerBuilder<string?, string?>(new ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers, LingerMs = 5 }).Build();
        for (var i = 0; i < 300; i++)
        {
            producer.Produce(new TopicPartition(topic, i % 2), new Message<string?, string?>
            {
                Key = $"k{i}",
                Value = $"v{i}",
                Timestamp = new Timestamp(1_700_000_000_000 + i, TimestampType.CreateTime),
            });
        }
        producer.Flush(TimeSpan.FromSeconds(30));
        return topic;
    }

    [Fact]
    public async Task Backup_describe_verify_and_restore_round_trip_through_azure_in_the_folder_layout()
    {
        var topic = ProduceTopic();
        var container = await azurite.CreateContainerAsync();
        var secrets = Secrets();
        var folder = _dir.Combine("folder");

        var backup = Cli(["backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", topic, "--backup-id", "az-1", .. AzureArgs(container, secrets)]);
        var verify = Cli(["backup", "describe", "--backup-id", "az-1", "--verify", .. AzureArgs(container, secrets)]);
        var folderBackup = Cli("backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", topic, "--backup-id", "az-1", "--path", folder);

        Assert.True(backup.ExitCode == 0, backup.StdOut + backup.StdErr);
        Assert.Contains($"stored at azure://{AzuriteFixture.AccountName}/{container}/dr/kafka/az-1/", backup.StdOut, StringComparison.Ordinal);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        Assert.Contains("records:     300 in 1 topic(s), 2 partition(s)", verify.StdOut, StringComparison.Ordinal);
        Assert.Contains("verified: 2 segment(s)", verify.StdOut, StringComparison.Ordinal);
        Assert.True(folderBackup.ExitCode == 0, folderBackup.StdOut + folderBackup.StdErr);

        // Independent reader: the SDK alone downloads every blob under the prefix; the names are the folder
        // backup's relative paths, and the folder reader verifies the downloaded copy.
        var copy = _dir.Combine("downloaded");
        var client = azurite.CreateClient().GetBlobContainerClient(container);
        var names = new List<string>();
        await foreach (var item in client.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "dr/kafka/" }))
        {
            var relative = item.Name["dr/kafka/".Length..];
            names.Add(relative);
            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await client.GetBlobClient(item.Name).DownloadToAsync(target);
        }
        RestoredTopic.AssertCopyLikeFolder(folder, copy, names, "az-1", Cli);

        var target2 = kafka.Broker.CreateUniqueTopic("az-restored", 2);
        var restore = Cli("restore", "-f", RestoreYaml(container, topic, target2), "--state-dir", _dir.Combine("state"), "--secrets-dir", secrets);
        RestoredTopic.AssertRestoreCompleted(restore, kafka.Broker.BootstrapServers, topic, target2, 2, 300);
    }

    private string RestoreYaml(string container, string source, string target)
    {
        var file = _dir.Combine($"restore-{target}.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: az-restore, namespace: ops{"}"}
            spec:
              backupId: az-1
              targetCluster:
                bootstrapServers: [{string.Join(", ", kafka.Broker.BootstrapServers.Split(','))}]
              storage:
                storageType: azure
                azure:
                  container: {container}
                  accountName: {AzuriteFixture.AccountName}
                  prefix: dr/kafka
                  endpoint: {azurite.Endpoint}
                  credentialsSecret:
                    name: azure
              topics: [{source}]
              topicMapping:
                {source}: {target}
            """);
        return file;
    }

    [Fact]
    public async Task A_wrong_key_is_StorageAccessDenied_without_the_key_and_a_missing_container_is_StorageNotFound()
    {
        var topic = ProduceTopic();
        var container = await azurite.CreateContainerAsync();
        var good = Secrets();
        var ok = Cli(["backup", "--bootstrap-servers", kafka.Broker.BootstrapServers, "--topics", topic, "--backup-id", "b", .. AzureArgs(container, good)]);

        var wrong = Cli(["backup", "describe", "--backup-id", "b", .. AzureArgs(container, Secrets(WrongKey))]);
        var missing = Cli(["backup", "describe", "--backup-id", "b", .. AzureArgs("no-such-container", good)]);
        var rightKey = Cli(["backup", "describe", "--backup-id", "b", .. AzureArgs(container, good)]);

        Assert.True(ok.ExitCode == 0, ok.StdOut + ok.StdErr);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("StorageAccessDenied", wrong.StdErr, StringComparison.Ordinal);
        Assert.Contains($"Azure container '{container}'", wrong.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey[..16], wrong.StdOut + wrong.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(AzuriteFixture.AccountKey[..16], wrong.StdOut + wrong.StdErr, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("StorageNotFound", missing.StdErr, StringComparison.Ordinal);
        Assert.Contains("Azure container 'no-such-container'", missing.StdErr, StringComparison.Ordinal);
        // Positive control: the right key describes the same backup.
        Assert.True(rightKey.ExitCode == 0, rightKey.StdOut + rightKey.StdErr);
    }

    [Fact]
    public async Task A_location_outside_Policy_Azure_is_PolicyDenied_before_any_connection()
    {
        var container = await azurite.CreateContainerAsync();
        var secrets = Secrets();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var elsewhere = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/{AzuriteFixture.AccountName}";
        var config = _dir.Combine("policy.json");
        var allowedLocation = $"{azurite.Endpoint}/{AzuriteFixture.AccountName}/{container}/dr/*";
        await File.WriteAllTextAsync(config, """{"Policy": {"*": {"Secrets": ["azure"], "Azure": ["LOCATION"]}}}""".Replace("LOCATION", allowedLocation, StringComparison.Ordinal));

        var denied = Cli(["backup", "describe", "--backup-id", "b", "--config", config, .. AzureArgs(container, secrets, elsewhere)]);
        var otherContainer = Cli(["backup", "describe", "--backup-id", "b", "--config", config, .. AzureArgs("other-container", secrets)]);
        var allowed = Cli(["backup", "describe", "--backup-id", "b", "--config", config, .. AzureArgs(container, secrets)]);

        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("PolicyDenied", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("Policy:*:Azure", denied.StdErr, StringComparison.Ordinal);
        Assert.False(listener.Pending(), "the denied command connected to the endpoint");
        Assert.Equal(1, otherContainer.ExitCode);
        Assert.Contains("PolicyDenied", otherContainer.StdErr, StringComparison.Ordinal);
        // Positive control: the allowed location is reached (and holds no backup b).
        Assert.Equal(1, allowed.ExitCode);
        Assert.Contains("BackupNotFound", allowed.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("PolicyDenied", allowed.StdErr, StringComparison.Ordinal);
    }
}
