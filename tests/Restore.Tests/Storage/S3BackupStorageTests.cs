using System.Net;
using Amazon.S3;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Storage.S3;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Storage;

public sealed class S3BackupStorageTests(S3rverFixture s3) : IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDir _secrets = new("kr-s3-secrets");
    private readonly CountingDelays _delays = new();

    public void Dispose() => _secrets.Dispose();

    private async Task<S3BackupStorage> StorageAsync(string? prefix = "backups/prod", int attempts = 3, string accessKey = S3rverFixture.AccessKey, string? endpoint = null)
    {
        var bucket = await s3.CreateBucketAsync();
        Directory.CreateDirectory(_secrets.Combine("s3"));
        foreach (var (file, value) in new[] { ("access", accessKey), ("secret", S3rverFixture.SecretKey) })
        {
            var path = _secrets.Combine("s3", file);
            await File.WriteAllTextAsync(path, value + "\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var spec = new S3StorageSpec(bucket, null, prefix, endpoint ?? s3.Endpoint, true, new S3CredentialsSecretRef("s3", "access", "secret"));
        var retry = new S3RetryPolicy { MaxAttempts = attempts, TimeProvider = _delays };
        return S3BackupStorage.Create(spec, new SecretStore(_secrets.Path), retry);
    }

    [Fact]
    public async Task Small_and_multipart_objects_round_trip_byte_exact_under_the_prefix()
    {
        using var storage = await StorageAsync();
        var small = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var large = new byte[S3BackupStorage.PartSize * 2 + 12345];
        new Random(7).NextBytes(large);

        await storage.WriteAsync("b1/small.bin", new MemoryStream(small), CancellationToken.None);
        await storage.WriteAsync("b1/large.bin", new MemoryStream(large), CancellationToken.None);

        Assert.Equal(small, await ReadAllAsync(storage, "b1/small.bin"));
        var largeRead = await ReadAllAsync(storage, "b1/large.bin");
        Assert.True(large.AsSpan().SequenceEqual(largeRead));
        Assert.True(await storage.ExistsAsync("b1/small.bin", CancellationToken.None));
        Assert.False(await storage.ExistsAsync("b1/none.bin", CancellationToken.None));
        Assert.StartsWith("s3://bucket-", storage.Describe("b1/small.bin"), StringComparison.Ordinal);
        Assert.EndsWith("/backups/prod/b1/small.bin", storage.Describe("b1/small.bin"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_pages_through_every_key_and_strips_the_prefix()
    {
        using var storage = await StorageAsync();
        var paged = new S3BackupStorage(s3.CreateClient(), BucketOf(storage), "backups/prod") { ListPageSize = 2 };
        for (var i = 0; i < 5; i++) await storage.WriteAsync($"b1/k{i}", new MemoryStream([1]), CancellationToken.None);
        await storage.WriteAsync("b2/other", new MemoryStream([1]), CancellationToken.None);

        var keys = new List<string>();
        await foreach (var k in paged.ListAsync("b1/", CancellationToken.None)) keys.Add(k);
        var none = new List<string>();
        await foreach (var k in paged.ListAsync("nothing/", CancellationToken.None)) none.Add(k);

        Assert.Equal(["b1/k0", "b1/k1", "b1/k2", "b1/k3", "b1/k4"], keys.Order());
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_missing_key_is_not_retried_and_names_the_s3_location()
    {
        using var storage = await StorageAsync();

        var e = await Assert.ThrowsAsync<BackupObjectNotFoundException>(() => storage.OpenReadAsync("b1/missing.bin", CancellationToken.None));

        Assert.Equal("BackupObjectNotFound", e.Reason);
        Assert.Contains(storage.Describe("b1/missing.bin"), e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _delays.Count);
    }

    [Fact]
    public async Task Wrong_credentials_fail_at_once_as_access_denied_without_the_secret()
    {
        using var storage = await StorageAsync(accessKey: "WRONGKEY");

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.WriteAsync("b1/x", new MemoryStream([1]), CancellationToken.None));

        Assert.Equal("StorageAccessDenied", e.Reason);
        Assert.Contains("secret 's3'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(S3rverFixture.SecretKey, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, _delays.Count);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_retried_then_reported_with_the_location()
    {
        using var storage = await StorageAsync(attempts: 4);
        await storage.WriteAsync("b1/x", new MemoryStream([1]), CancellationToken.None);
        s3.Stop();
        try
        {
            var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/x", CancellationToken.None));
            Assert.Equal("StorageUnavailable", e.Reason);
            Assert.Contains(storage.Describe("b1/x"), e.Message, StringComparison.Ordinal);
            Assert.Contains("after 4 attempt(s)", e.Message, StringComparison.Ordinal);
            Assert.Equal(3, _delays.Count);
        }
        finally
        {
            s3.Restart();
        }
        Assert.Equal([1], await ReadAllAsync(storage, "b1/x"));
    }

    [Fact]
    public async Task A_read_cut_by_a_restart_resumes_where_it_stopped()
    {
        using var storage = await StorageAsync(attempts: 8);
        // One GET for the whole object: read in parts ahead of the reader, the restart could find no read under way.
        storage.ReadPartBytes = int.MaxValue;
        var data = new byte[40 * 1024 * 1024];
        new Random(3).NextBytes(data);
        await storage.WriteAsync("b1/big", new MemoryStream(data), CancellationToken.None);

        await using var stream = await storage.OpenReadAsync("b1/big", CancellationToken.None);
        var copy = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var restarted = false;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, n);
            if (!restarted && copy.Length > 1024 * 1024)
            {
                s3.Restart();
                restarted = true;
            }
        }
        Assert.True(data.AsSpan().SequenceEqual(copy.ToArray()));
        Assert.True(_delays.Count > 0, "the read never had to resume");
    }

    [Fact]
    public async Task Throttling_and_server_errors_from_the_server_are_retried_with_backoff_until_the_call_succeeds()
    {
        using var proxy = new S3FaultProxy(s3.Endpoint);
        using var storage = await StorageAsync(attempts: 4, endpoint: proxy.Endpoint);
        var small = Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray();

        proxy.Fail(1, HttpStatusCode.ServiceUnavailable, "SlowDown");
        proxy.Fail(1, HttpStatusCode.InternalServerError, "InternalError");
        await storage.WriteAsync("b1/small.bin", new MemoryStream(small), CancellationToken.None);
        proxy.Fail(1, (HttpStatusCode)429, "TooManyRequests");
        proxy.Fail(2, HttpStatusCode.BadGateway, "BadGateway");
        var read = await ReadAllAsync(storage, "b1/small.bin");

        Assert.Equal(small, read);
        Assert.Equal(3, proxy.Count("PUT", "/b1/small.bin"));
        Assert.Equal(4, proxy.Count("GET", "/b1/small.bin"));
        Assert.Equal(5, _delays.Count);

        // A multipart upload whose second part is throttled twice: the part is sent again, whole.
        var large = new byte[S3BackupStorage.PartSize + 4321];
        new Random(11).NextBytes(large);
        proxy.Fail(2, HttpStatusCode.ServiceUnavailable, "SlowDown", r => r.HttpMethod == "PUT" && r.Url!.Query.Contains("partNumber=2", StringComparison.Ordinal));
        await storage.WriteAsync("b1/large.bin", new MemoryStream(large), CancellationToken.None);

        var largeRead = await ReadAllAsync(storage, "b1/large.bin");
        Assert.True(large.AsSpan().SequenceEqual(largeRead));
        Assert.Equal(1, proxy.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=1", StringComparison.Ordinal)));
        Assert.Equal(3, proxy.Requests.Count(r => r.StartsWith("PUT ", StringComparison.Ordinal) && r.Contains("partNumber=2", StringComparison.Ordinal)));
        Assert.Equal(7, _delays.Count);
    }

    [Fact]
    public async Task A_large_object_is_read_in_ranged_parts_ahead_and_a_part_cut_short_resumes_inside_its_range()
    {
        using var proxy = new S3FaultProxy(s3.Endpoint);
        using var storage = await StorageAsync(attempts: 4, endpoint: proxy.Endpoint);
        var data = new byte[(5 * S3PartsReadStream.DefaultPartBytes) + 12345];
        new Random(5).NextBytes(data);
        await storage.WriteAsync("b1/parts.bin", new MemoryStream(data), CancellationToken.None);
        // The third part's answer breaks off after 1000 bytes: its body resumes at that byte of the object, not of the part.
        var third = $"bytes={2 * S3PartsReadStream.DefaultPartBytes}-";
        proxy.Cut(1, 1000, r => r.HttpMethod == "GET" && (r.Headers["Range"]?.StartsWith(third, StringComparison.Ordinal) ?? false));

        var read = await ReadAllAsync(storage, "b1/parts.bin");

        Assert.True(data.AsSpan().SequenceEqual(read));
        // One plain GET for the first part, one ranged GET for each of the other five, one more to resume the cut one.
        Assert.Equal(7, proxy.Count("GET", "/b1/parts.bin"));
        Assert.Equal(1, _delays.Count);

        // Positive control: an object of one part is one GET, as before.
        var small = data.AsSpan(0, S3PartsReadStream.DefaultPartBytes).ToArray();
        await storage.WriteAsync("b1/one.bin", new MemoryStream(small), CancellationToken.None);
        Assert.Equal(small, await ReadAllAsync(storage, "b1/one.bin"));
        Assert.Equal(1, proxy.Count("GET", "/b1/one.bin"));
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_attempts_is_StorageUnavailable_naming_the_object()
    {
        using var proxy = new S3FaultProxy(s3.Endpoint);
        using var storage = await StorageAsync(attempts: 3, endpoint: proxy.Endpoint);
        await storage.WriteAsync("b1/x", new MemoryStream([1, 2, 3]), CancellationToken.None);
        proxy.Fail(3, HttpStatusCode.ServiceUnavailable, "SlowDown");

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/x", CancellationToken.None));

        Assert.Equal("StorageUnavailable", e.Reason);
        Assert.Contains("after 3 attempt(s): HTTP 503 SlowDown", e.Message, StringComparison.Ordinal);
        Assert.Contains(storage.Describe("b1/x"), e.Message, StringComparison.Ordinal);
        Assert.Equal(3, proxy.Count("GET", "/b1/x"));
        Assert.Equal(2, _delays.Count);
    }

    [Fact]
    public async Task A_missing_key_reaches_the_server_once()
    {
        using var proxy = new S3FaultProxy(s3.Endpoint);
        using var storage = await StorageAsync(attempts: 6, endpoint: proxy.Endpoint);

        await Assert.ThrowsAsync<BackupObjectNotFoundException>(() => storage.OpenReadAsync("b1/missing.bin", CancellationToken.None));
        Assert.False(await storage.ExistsAsync("b1/missing.bin", CancellationToken.None));

        Assert.Equal(1, proxy.Count("GET", "/b1/missing.bin"));
        Assert.Equal(1, proxy.Count("HEAD", "/b1/missing.bin"));
        Assert.Equal(0, _delays.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "SlowDown", true)]
    [InlineData((HttpStatusCode)429, "TooManyRequests", true)]
    [InlineData(HttpStatusCode.InternalServerError, "InternalError", true)]
    [InlineData(HttpStatusCode.BadGateway, null, true)]
    [InlineData(HttpStatusCode.NotFound, "NoSuchKey", false)]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied", false)]
    [InlineData(HttpStatusCode.BadRequest, "InvalidArgument", false)]
    public void Throttling_and_server_errors_are_transient_client_errors_are_not(HttpStatusCode status, string? code, bool transient)
    {
        var e = new AmazonS3Exception("x") { StatusCode = status, ErrorCode = code };
        Assert.Equal(transient, S3RetryPolicy.IsTransient(e, CancellationToken.None));
        Assert.True(S3RetryPolicy.IsTransient(new HttpRequestException("refused"), CancellationToken.None));
        Assert.False(S3RetryPolicy.IsTransient(new HttpRequestException("refused"), new CancellationToken(true)));
    }

    [Fact]
    public void Backoff_is_capped_and_jittered()
    {
        var p = new S3RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(800) };
        var delays = Enumerable.Range(0, 200).Select(_ => p.DelayBefore(10)).ToList();
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMilliseconds(800)));
        Assert.True(delays.Distinct().Count() > 10);
        Assert.All(Enumerable.Range(0, 50).Select(_ => p.DelayBefore(2)), d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMilliseconds(100)));
    }

    private static string BucketOf(S3BackupStorage storage) => storage.Describe("x")["s3://".Length..].Split('/')[0];

    private static async Task<byte[]> ReadAllAsync(IBackupStorage storage, string key)
    {
        await using var s = await storage.OpenReadAsync(key, CancellationToken.None);
        var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }

    // Retry delays that elapse at once, counted.
    [Fact]
    public async Task Deleting_a_backup_removes_its_objects_only() =>
        await StorageDeletion.DeletesOneBackupAndNothingElseAsync(await StorageAsync());

    private sealed class CountingDelays : TimeProvider
    {
        private int _count;

        public int Count => _count;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _count);
            return System.CreateTimer(callback, state, TimeSpan.Zero, period);
        }
    }
}
