using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The reconcile loop restoring from the GCS emulator under a policy naming the GCS location: records exactly once, a headerBased reset from the group snapshot in the bucket, and another bucket denied.</summary>
public sealed class GcsLoopTests(KafkaFixture kafka, GcsEmulatorFixture gcs) : IClassFixture<KafkaFixture>, IClassFixture<GcsEmulatorFixture>, IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private string Storage(string bucket) => $"""
          storage:
            storageType: gcs
            gcs:
              bucket: {bucket}
              prefix: dr
              endpoint: {gcs.Endpoint}
              credentialsSecret:
                name: gcs
        """;

    [Fact]
    public async Task A_restore_from_gcs_lands_every_record_once_resets_a_group_from_the_snapshot_and_another_bucket_is_PolicyDenied()
    {
        var secrets = _remote.Scratch("secrets");
        AzuriteFixture.WriteSecret(secrets, "gcs", "service-account.json", gcs.ServiceAccountJson());
        var bucket = gcs.NewBucket();
        var storage = BackupStorageFactory.Create(new StorageSpec(StorageType.Gcs, null, null,
            Gcs: new GcsStorageSpec(bucket, "dr", gcs.Endpoint, new GcsServiceAccountSecretRef("gcs", "service-account.json"))), new SecretStore(secrets));
        var other = gcs.NewBucket("other");

        await CloudLoopScenario.RunAsync(kafka, _remote, secrets, "gcs", new CloudLoopScenario.Store(storage, Storage(bucket), Storage(other),
            new PolicyEntry { Clusters = ["*"], Secrets = ["gcs"], Gcs = [$"{gcs.Endpoint}/{bucket}/dr"] },
            $"GCS location {gcs.Endpoint}/{other}/dr", "Gcs"));
    }
}
