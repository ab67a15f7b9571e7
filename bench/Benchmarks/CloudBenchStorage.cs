using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>Benchmark storage on the local stand-ins for the clouds: a fresh bucket or container, with the server's keys as secret files.</summary>
internal static class CloudBenchStorage
{
    /// <summary>Segments of the cloud backups stay under the GCS client's 16 MiB upload chunk: the emulator ends a multi-chunk upload at its first chunk.</summary>
    public const long SegmentBytes = 12L * 1024 * 1024;

    /// <summary>A fresh bucket on s3rver.</summary>
    public static async Task<BenchStorage> S3Async(S3rverFixture s3, string secretsDir)
    {
        AzuriteFixture.WriteSecret(secretsDir, "s3", "accessKey", S3rverFixture.AccessKey);
        AzuriteFixture.WriteSecret(secretsDir, "s3", "secretKey", S3rverFixture.SecretKey);
        var bucket = await s3.CreateBucketAsync("bench");
        return new BenchStorage("s3rver", new StorageSpec(StorageType.S3,
            new S3StorageSpec(bucket, "us-east-1", null, s3.Endpoint, true, new S3CredentialsSecretRef("s3", "accessKey", "secretKey")), null), secretsDir);
    }

    /// <summary>A fresh container on Azurite, with its well-known account key.</summary>
    public static async Task<BenchStorage> AzureAsync(AzuriteFixture azurite, string secretsDir)
    {
        AzuriteFixture.WriteSecret(secretsDir, "azure", "accountKey", AzuriteFixture.AccountKey);
        var container = await azurite.CreateContainerAsync("bench");
        return new BenchStorage("azurite", new StorageSpec(StorageType.Azure, null, null,
            new AzureStorageSpec(container, AzuriteFixture.AccountName, null, azurite.Endpoint, new AzureAccountKeySecretRef("azure", "accountKey"), null)), secretsDir);
    }

    /// <summary>A bucket on the GCS emulator (firebase-tools), reached with a service account whose token the emulator grants.</summary>
    public static BenchStorage Gcs(GcsEmulatorFixture gcs, string secretsDir)
    {
        AzuriteFixture.WriteSecret(secretsDir, "gcs", "service-account.json", gcs.ServiceAccountJson());
        return new BenchStorage("gcs emulator", new StorageSpec(StorageType.Gcs, null, null, null,
            new GcsStorageSpec(gcs.NewBucket("bench"), null, gcs.Endpoint, new GcsServiceAccountSecretRef("gcs", "service-account.json"))), secretsDir);
    }
}
