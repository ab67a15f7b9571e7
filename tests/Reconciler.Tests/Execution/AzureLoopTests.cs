using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The reconcile loop restoring from Azurite under a policy naming the Azure location: records exactly once, a headerBased reset from the group snapshot in the container, and another container denied.</summary>
public sealed class AzureLoopTests(KafkaFixture kafka, AzuriteFixture azurite) : IClassFixture<KafkaFixture>, IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static string Storage(string container, string endpoint) => $"""
          storage:
            storageType: azure
            azure:
              container: {container}
              accountName: {AzuriteFixture.AccountName}
              prefix: dr
              endpoint: {endpoint}
              credentialsSecret:
                name: azure
        """;

    [Fact]
    public async Task A_restore_from_azure_lands_every_record_once_resets_a_group_from_the_snapshot_and_another_container_is_PolicyDenied()
    {
        var secrets = _remote.Scratch("secrets");
        AzuriteFixture.WriteSecret(secrets, "azure", "AZURE_STORAGE_KEY", AzuriteFixture.AccountKey);
        var container = await azurite.CreateContainerAsync();
        var storage = BackupStorageFactory.Create(new StorageSpec(StorageType.Azure, null, null,
            new AzureStorageSpec(container, AzuriteFixture.AccountName, "dr", azurite.Endpoint, new AzureAccountKeySecretRef("azure", "AZURE_STORAGE_KEY"), null)),
            new SecretStore(secrets));
        var other = await azurite.CreateContainerAsync("other");

        await CloudLoopScenario.RunAsync(kafka, _remote, secrets, "az", new CloudLoopScenario.Store(storage,
            Storage(container, azurite.Endpoint), Storage(other, azurite.Endpoint),
            new PolicyEntry { Clusters = ["*"], Secrets = ["azure"], Azure = [$"{azurite.Endpoint}/{AzuriteFixture.AccountName}/{container}/dr"] },
            $"Azure location {azurite.Endpoint}/{AzuriteFixture.AccountName}/{other}/dr", "Azure"));
    }
}
