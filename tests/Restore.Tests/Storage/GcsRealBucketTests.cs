using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage.Gcs;
using KafkaRestored.Restore.Storage.S3;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Storage.StorageReads;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>
/// What the emulator cannot show, against a real bucket: a resumable upload of several chunks stored whole,
/// and a missing bucket reported as such. Run when GCS_TEST_BUCKET names a bucket the application default
/// credentials (GOOGLE_APPLICATION_CREDENTIALS...) may write; skipped otherwise.
/// </summary>
public sealed class GcsRealBucketTests : IDisposable
{
    private readonly TempDir _secrets = new("kr-gcs-real");
    private readonly string _prefix = "kafka-restored-tests/" + Guid.NewGuid().ToString("N")[..12];

    public void Dispose() => _secrets.Dispose();

    private GcsBackupStorage Storage(string bucket, int chunk = GcsBackupStorage.DefaultChunkSize)
    {
        var storage = GcsBackupStorage.Create(new GcsStorageSpec(bucket, _prefix, null, null), new SecretStore(_secrets.Path));
        return new GcsBackupStorage(storage.Client, bucket, _prefix, "the application default credentials", new S3RetryPolicy()) { UploadChunkSize = chunk };
    }

    [RealGcsFact]
    public async Task A_resumable_upload_of_several_chunks_is_stored_whole_and_lists_under_the_prefix()
    {
        var storage = Storage(RealGcsFactAttribute.Bucket!, chunk: 256 * 1024);
        var data = new byte[(256 * 1024 * 3) + 777];
        new Random(11).NextBytes(data);

        await storage.WriteAsync("b1/multi.bin", new NonSeekable(data), CancellationToken.None);
        await storage.WriteAsync("b1/small.bin", new MemoryStream([1, 2, 3]), CancellationToken.None);

        var read = await ReadAllAsync(storage, "b1/multi.bin");
        Assert.True(data.AsSpan().SequenceEqual(read));
        Assert.Equal(["b1/multi.bin", "b1/small.bin"], (await ListAsync(storage, "b1/")).Order());
        foreach (var key in new[] { "b1/multi.bin", "b1/small.bin" })
            await storage.Client.Service.Objects.Delete(RealGcsFactAttribute.Bucket!, $"{_prefix}/{key}").ExecuteAsync();
    }

    [RealGcsFact]
    public async Task A_missing_bucket_is_StorageNotFound_naming_it()
    {
        var bucket = "kafka-restored-missing-" + Guid.NewGuid().ToString("N")[..16];

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => Storage(bucket).OpenReadAsync("b1/x", CancellationToken.None));

        Assert.Equal("StorageNotFound", e.Reason);
        Assert.Contains($"GCS bucket '{bucket}' does not exist", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A test that needs a real GCS bucket (GCS_TEST_BUCKET); skipped otherwise.</summary>
    private sealed class RealGcsFactAttribute : FactAttribute
    {
        public RealGcsFactAttribute()
        {
            if (string.IsNullOrEmpty(Bucket))
                Skip = "runs only against a real GCS bucket (set GCS_TEST_BUCKET and application default credentials): the emulator ends a resumable upload at its first chunk and makes any bucket it is asked for";
        }

        public static string? Bucket => Environment.GetEnvironmentVariable("GCS_TEST_BUCKET");
    }
}
