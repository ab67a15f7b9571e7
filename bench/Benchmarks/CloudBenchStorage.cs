using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>A fresh bucket on s3rver as benchmark storage, with s3rver's keys as secret files.</summary>
internal static class S3BenchStorage
{
    public static async Task<BenchStorage> CreateAsync(S3rverFixture s3, string secretsDir)
    {
        Directory.CreateDirectory(Path.Combine(secretsDir, "s3"));
        foreach (var k in new[] { "accessKey", "secretKey" })
        {
            var f = Path.Combine(secretsDir, "s3", k);
            File.WriteAllText(f, S3rverFixture.AccessKey);
            File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var bucket = await s3.CreateBucketAsync("bench");
        return new BenchStorage("s3rver", new StorageSpec(StorageType.S3,
            new S3StorageSpec(bucket, "us-east-1", null, s3.Endpoint, true, new S3CredentialsSecretRef("s3", "accessKey", "secretKey")), null), secretsDir);
    }
}
