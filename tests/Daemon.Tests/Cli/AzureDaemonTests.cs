using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>
/// The real daemon (<c>kafka-restored run</c>, a child process) restoring a committed KafkaRestore from Azurite: the
/// settings' policy names the container, the account key comes from the secrets folder, and the status pushed to
/// Git says Completed with every record, which an independent consumer finds in the target.
/// </summary>
public sealed class AzureDaemonTests(KafkaFixture kafka, AzuriteFixture azurite) : IClassFixture<KafkaFixture>, IClassFixture<AzuriteFixture>, IDisposable
{
    private const int Partitions = 2;
    private const int PerPartition = 120;
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    [Fact]
    public async Task The_daemon_restores_a_committed_resource_from_azure_under_a_policy_naming_its_container()
    {
        var secrets = _remote.Scratch("secrets");
        AzuriteFixture.WriteSecret(secrets, "azure", "AZURE_STORAGE_KEY", AzuriteFixture.AccountKey);
        var container = await azurite.CreateContainerAsync();
        var storage = BackupStorageFactory.Create(new Restore.Resources.Model.StorageSpec(Restore.Resources.Model.StorageType.Azure, null, null,
            new Restore.Resources.Model.AzureStorageSpec(container, AzuriteFixture.AccountName, "dr", azurite.Endpoint,
                new Restore.Resources.Model.AzureAccountKeySecretRef("azure", "AZURE_STORAGE_KEY"), null)),
            new Restore.Secrets.SecretStore(secrets));
        var records = new Dictionary<(string, int), IReadOnlyList<Restore.Backups.Kbak.BackupRecord>>();
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            records[("orders", p)] = [.. Enumerable.Range(0, PerPartition).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{partition}-{i}", $"v{partition}-{i}"))];
        }
        await RestoreKit.WriteBackupAsync(storage, "backup-az", records, new Dictionary<string, int> { ["orders"] = Partitions }, segmentRecords: 50);
        var target = kafka.Broker.CreateUniqueTopic("az-daemon", Partitions);
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        _remote.HumanCommit("restore from azure", new Dictionary<string, string?>
        {
            ["restores/az.yaml"] = $$"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaRestore
                metadata: {name: az, namespace: team-az}
                spec:
                  backupId: backup-az
                  targetCluster:
                    bootstrapServers: [{{brokers}}]
                  storage:
                    storageType: azure
                    azure:
                      container: {{container}}
                      accountName: {{AzuriteFixture.AccountName}}
                      prefix: dr
                      endpoint: "{{azurite.Endpoint}}"
                      credentialsSecret: {name: azure}
                  topics: [orders]
                  topicMapping: {orders: {{target}}}
                """,
        });
        // A policy for team-az only: its cluster, its secret, its container (no allow-all).
        var environment = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_Policy__team-az__Clusters__0"] = "*",
            ["KAFKA_RESTORED_Policy__team-az__Secrets__0"] = "azure",
            ["KAFKA_RESTORED_Policy__team-az__Azure__0"] = $"{azurite.Endpoint}/{AzuriteFixture.AccountName}/{container}/dr",
        };
        using var daemon = new DaemonProcess(["run", "--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", _remote.Scratch("state"),
            "--secrets-dir", secrets, "--http-listen", "off"], environment);

        var status = await daemon.WaitForAsync("the Completed status in Git", () =>
        {
            var show = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:status/kafkarestore/team-az/az.yaml"], _remote.BarePath);
            return Task.FromResult(show.ExitCode == 0 && show.StdOut.Contains("phase: Completed", StringComparison.Ordinal) ? show.StdOut : null);
        }, TimeSpan.FromMinutes(2));
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));

        Assert.Contains($"restoredRecords: {Partitions * PerPartition}", status, StringComparison.Ordinal);
        var seen = Kcat.ReadTopic(kafka.Broker.BootstrapServers, target);
        for (var p = 0; p < Partitions; p++)
            Assert.Equal(records[("orders", p)].Select(r => System.Text.Encoding.UTF8.GetString(r.Key!)), seen.Where(r => r.Partition == p).Select(r => r.Key));
        Assert.DoesNotContain(AzuriteFixture.AccountKey, daemon.Output, StringComparison.Ordinal);
    }
}
