using System.Net;
using System.Text.Json;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Storage.Gcs;
using KafkaRestored.Restore.Storage.S3;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Storage.StorageReads;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>
/// The GCS storage against firebase-tools' Cloud Storage emulator: layout read back over the JSON API,
/// ranged resumption, listing, missing objects, service account keys (never in a message), retries
/// through a fault proxy, and the guard against a store that keeps only part of a resumable upload.
/// </summary>
public sealed class GcsBackupStorageTests(GcsEmulatorFixture gcs) : IClassFixture<GcsEmulatorFixture>, IDisposable
{
    private static readonly S3RetryPolicy FastRetry = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };
    private readonly TempDir _secrets = new("kr-gcs-secrets");

    public void Dispose() => _secrets.Dispose();

    private GcsBackupStorage Storage(string bucket, string? prefix = "backups/prod", string? json = null, string? endpoint = null, int chunk = GcsBackupStorage.DefaultChunkSize)
    {
        AzuriteFixture.WriteSecret(_secrets.Path, "gcs", "service-account.json", json ?? gcs.ServiceAccountJson());
        var spec = new GcsStorageSpec(bucket, prefix, endpoint ?? gcs.Endpoint, new GcsServiceAccountSecretRef("gcs", "service-account.json"));
        var storage = GcsBackupStorage.Create(spec, new SecretStore(_secrets.Path), FastRetry);
        return chunk == GcsBackupStorage.DefaultChunkSize ? storage : new GcsBackupStorage(storage.Client, bucket, prefix, "test", FastRetry) { UploadChunkSize = chunk };
    }

    [Fact]
    public async Task Objects_round_trip_byte_exact_under_the_prefix_and_read_back_over_the_json_api()
    {
        var bucket = gcs.NewBucket();
        var storage = Storage(bucket);
        var small = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var large = new byte[(3 * 1024 * 1024) + 12345];
        new Random(7).NextBytes(large);

        await storage.WriteAsync("b1/small.bin", new MemoryStream(small), CancellationToken.None);
        await storage.WriteAsync("b1/large.bin", new NonSeekable(large), CancellationToken.None);

        Assert.Equal(small, await ReadAllAsync(storage, "b1/small.bin"));
        var largeRead = await ReadAllAsync(storage, "b1/large.bin");
        Assert.True(large.AsSpan().SequenceEqual(largeRead));
        Assert.True(await storage.ExistsAsync("b1/small.bin", CancellationToken.None));
        Assert.False(await storage.ExistsAsync("b1/none.bin", CancellationToken.None));
        Assert.Equal($"gs://{bucket}/backups/prod/b1/small.bin", storage.Describe("b1/small.bin"));
        // Read back independently: the object names are the prefix and the key, the bytes those written.
        Assert.Equal(["backups/prod/b1/large.bin", "backups/prod/b1/small.bin"], (await gcs.ListAsync(bucket)).Order());
        Assert.Equal(small, await gcs.ReadObjectAsync(bucket, "backups/prod/b1/small.bin"));
        var largeDirect = await gcs.ReadObjectAsync(bucket, "backups/prod/b1/large.bin");
        Assert.True(large.AsSpan().SequenceEqual(largeDirect));
    }

    [Fact]
    public Task Deleting_a_backup_removes_its_objects_only() =>
        StorageDeletion.DeletesOneBackupAndNothingElseAsync(Storage(gcs.NewBucket()));

    [Fact]
    public async Task Listing_pages_through_every_key_and_strips_the_prefix()
    {
        var bucket = gcs.NewBucket();
        var storage = Storage(bucket);
        var paged = new GcsBackupStorage(storage.Client, bucket, "backups/prod", "test", FastRetry) { ListPageSize = 2 };
        for (var i = 0; i < 5; i++) await gcs.WriteObjectAsync(bucket, $"backups/prod/b1/k{i}", [1]);
        await gcs.WriteObjectAsync(bucket, "backups/prod/b2/other", [1]);
        await gcs.WriteObjectAsync(bucket, "elsewhere/b1/k9", [1]);

        Assert.Equal(["b1/k0", "b1/k1", "b1/k2", "b1/k3", "b1/k4"], (await ListAsync(paged, "b1/")).Order());
        Assert.Empty(await ListAsync(paged, "nothing/"));
    }

    [Fact]
    public async Task A_missing_object_is_BackupObjectNotFound_asked_for_once()
    {
        var bucket = gcs.NewBucket();
        using var proxy = new S3FaultProxy(gcs.Endpoint);
        var storage = Storage(bucket, endpoint: proxy.Endpoint);

        var e = await Assert.ThrowsAsync<BackupObjectNotFoundException>(() => storage.OpenReadAsync("b1/missing.bin", CancellationToken.None));

        Assert.Equal("BackupObjectNotFound", e.Reason);
        Assert.Contains($"gs://{bucket}/backups/prod/b1/missing.bin", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Count("GET", "b1%2Fmissing.bin"));
    }

    [Fact]
    public async Task A_refused_or_malformed_service_account_key_is_StorageAccessDenied_naming_the_bucket_and_never_the_private_key()
    {
        var bucket = gcs.NewBucket();
        await gcs.WriteObjectAsync(bucket, "backups/prod/b1/x", [1]);
        var refusedJson = gcs.ServiceAccountJson("/oauth2/refuse");
        var privateKey = JsonDocument.Parse(refusedJson).RootElement.GetProperty("private_key").GetString()!;
        var keyBody = privateKey.Split('\n')[1];
        var malformed = refusedJson[..(refusedJson.Length / 2)];

        var refused = await Assert.ThrowsAsync<KafkaRestoredException>(() => Storage(bucket, json: refusedJson).OpenReadAsync("b1/x", CancellationToken.None));
        var broken = Assert.Throws<KafkaRestoredException>(() => Storage(bucket, json: malformed));

        Assert.Equal("StorageAccessDenied", refused.Reason);
        Assert.Contains($"GCS bucket '{bucket}'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", refused.Message, StringComparison.Ordinal);
        Assert.Contains("secret 'gcs'", refused.Message, StringComparison.Ordinal);
        Assert.Equal("StorageAccessDenied", broken.Reason);
        Assert.Contains($"GCS bucket '{bucket}'", broken.Message, StringComparison.Ordinal);
        foreach (var e in new Exception[] { refused, broken })
        {
            Assert.DoesNotContain(keyBody, e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(keyBody[..16], e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("b1/x", e.Message, StringComparison.Ordinal);
        }
        // Positive control: a key the token endpoint accepts reads the same object.
        Assert.Equal([1], await ReadAllAsync(Storage(bucket), "b1/x"));
    }

    [Fact]
    public async Task Without_a_token_the_store_answers_401_which_is_StorageAccessDenied()
    {
        var bucket = gcs.NewBucket();
        var anonymous = new GcsBackupStorage(new Google.Cloud.Storage.V1.StorageClientBuilder { BaseUri = gcs.Endpoint + "/storage/v1/", UnauthenticatedAccess = true }.Build(),
            bucket, null, "no credential", FastRetry);

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => anonymous.OpenReadAsync("b1/x", CancellationToken.None));

        Assert.Equal("StorageAccessDenied", e.Reason);
        Assert.Contains("HTTP 401 required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_and_past_the_last_attempt_are_StorageUnavailable()
    {
        var bucket = gcs.NewBucket();
        using var proxy = new S3FaultProxy(gcs.Endpoint);
        var storage = Storage(bucket, endpoint: proxy.Endpoint);
        var data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        proxy.Fail(1, HttpStatusCode.ServiceUnavailable, "backendError", r => r.RawUrl!.StartsWith("/upload/", StringComparison.Ordinal));
        proxy.Fail(1, HttpStatusCode.TooManyRequests, "rateLimitExceeded", r => r.RawUrl!.StartsWith("/upload/", StringComparison.Ordinal));

        await storage.WriteAsync("b1/seg.bin", new MemoryStream(data), CancellationToken.None);
        proxy.Fail(1, HttpStatusCode.InternalServerError, "backendError", r => r.HttpMethod == "GET" && r.RawUrl!.Contains("alt=media", StringComparison.Ordinal));
        var read = await ReadAllAsync(storage, "b1/seg.bin");
        proxy.Fail(FastRetry.MaxAttempts, HttpStatusCode.ServiceUnavailable, "backendError", r => r.HttpMethod == "GET");
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/seg.bin", CancellationToken.None));

        Assert.Equal(data, read);
        Assert.Equal(data, await gcs.ReadObjectAsync(bucket, "backups/prod/b1/seg.bin"));
        Assert.Equal("StorageUnavailable", e.Reason);
        Assert.Contains($"GCS bucket '{bucket}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 503", e.Message, StringComparison.Ordinal);
        // Positive control: with no fault left, the same read succeeds.
        Assert.Equal(data, await ReadAllAsync(storage, "b1/seg.bin"));
    }

    [Fact]
    public async Task A_download_cut_mid_object_resumes_with_a_ranged_get_of_the_same_generation()
    {
        var bucket = gcs.NewBucket();
        using var proxy = new S3FaultProxy(gcs.Endpoint);
        var storage = Storage(bucket, endpoint: proxy.Endpoint);
        var data = new byte[3 * 1024 * 1024];
        new Random(5).NextBytes(data);
        await storage.WriteAsync("b1/big", new MemoryStream(data), CancellationToken.None);
        proxy.Cut(1, 1024 * 1024, r => r.HttpMethod == "GET" && r.RawUrl!.Contains("alt=media", StringComparison.Ordinal));

        var read = await ReadAllAsync(storage, "b1/big");

        Assert.True(data.AsSpan().SequenceEqual(read));
        var media = proxy.Requests.Where(r => r.Contains("alt=media", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, media.Count);
        Assert.All(media, r => Assert.Contains("generation=", r, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_that_keeps_only_the_first_chunk_of_a_resumable_upload_is_StorageUnavailable_and_leaves_no_object()
    {
        // The emulator finalizes a resumable upload at its first chunk and answers success: the size check catches it.
        var bucket = gcs.NewBucket();
        var chunk = 256 * 1024;
        var storage = Storage(bucket, chunk: chunk);
        var data = new byte[(chunk * 2) + 100];
        new Random(3).NextBytes(data);

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.WriteAsync("b1/multi", new NonSeekable(data), CancellationToken.None));
        await storage.WriteAsync("b1/single", new NonSeekable(data.AsSpan(0, chunk - 1).ToArray()), CancellationToken.None);

        Assert.Equal("StorageUnavailable", e.Reason);
        Assert.Contains($"stored {chunk} bytes of gs://{bucket}/backups/prod/b1/multi while", e.Message, StringComparison.Ordinal);
        Assert.False(await gcs.ExistsAsync(bucket, "backups/prod/b1/multi"));
        // Positive control: an object within one chunk goes up whole.
        Assert.Equal(chunk - 1, (await gcs.ReadObjectAsync(bucket, "backups/prod/b1/single")).Length);
    }

    [Fact]
    public async Task An_endpoint_nobody_listens_on_is_StorageUnavailable_and_a_plain_http_remote_endpoint_is_refused()
    {
        var storage = Storage("any-bucket", endpoint: $"http://127.0.0.1:{S3rverFixture.FreePort()}");

        var read = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/x", CancellationToken.None));
        var write = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.WriteAsync("b1/x", new MemoryStream([1]), CancellationToken.None));
        var clear = Assert.Throws<KafkaRestoredException>(() => Storage("any-bucket", endpoint: "http://storage.example.com"));

        Assert.Equal("StorageUnavailable", read.Reason);
        Assert.Contains("GCS bucket 'any-bucket'", read.Message, StringComparison.Ordinal);
        Assert.Equal("StorageUnavailable", write.Reason);
        Assert.Equal("StorageAccessDenied", clear.Reason);
        Assert.Contains("clear text", clear.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_the_application_default_credentials_are_used()
    {
        var bucket = gcs.NewBucket();
        await gcs.WriteObjectAsync(bucket, "b1/x", [4, 2]);
        var adc = Path.Combine(_secrets.Path, "adc.json");
        await File.WriteAllTextAsync(adc, gcs.ServiceAccountJson());
        var before = Environment.GetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
        Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", adc);
        try
        {
            var storage = GcsBackupStorage.Create(new GcsStorageSpec(bucket, null, gcs.Endpoint, null), new SecretStore(_secrets.Path), FastRetry);
            Assert.Equal([4, 2], await ReadAllAsync(storage, "b1/x"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS", before);
        }
    }
}
