using System.Net;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Storage.Azure;
using KafkaRestored.Restore.Storage.S3;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Storage.StorageReads;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>The Azure Blob storage against Azurite: layout, listing, missing objects and containers, credentials, and throttling through a fault proxy.</summary>
public sealed class AzureBlobBackupStorageTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private const string WrongKey = "V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXlXcm9uZ0tleVdyb25nS2V5V3JvbmdLZXk=";
    private static readonly S3RetryPolicy FastRetry = new() { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };
    private readonly TempDir _secrets = new("kr-azure-secrets");

    public void Dispose() => _secrets.Dispose();

    private AzureBlobBackupStorage Storage(string container, string? prefix = "backups/prod", string key = AzuriteFixture.AccountKey, string? endpoint = null)
    {
        AzuriteFixture.WriteSecret(_secrets.Path, "azure", "AZURE_STORAGE_KEY", key);
        var spec = new AzureStorageSpec(container, AzuriteFixture.AccountName, prefix, endpoint ?? azurite.Endpoint,
            new AzureAccountKeySecretRef("azure", "AZURE_STORAGE_KEY"), null);
        return AzureBlobBackupStorage.Create(spec, new SecretStore(_secrets.Path), FastRetry);
    }

    [Fact]
    public async Task Small_and_block_staged_blobs_round_trip_byte_exact_under_the_prefix()
    {
        var container = await azurite.CreateContainerAsync();
        var storage = Storage(container);
        var small = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var large = new byte[(AzureBlobBackupStorage.BlockSize * 2) + 12345];
        new Random(7).NextBytes(large);

        await storage.WriteAsync("b1/small.bin", new MemoryStream(small), CancellationToken.None);
        await storage.WriteAsync("b1/large.bin", new NonSeekable(large), CancellationToken.None);

        Assert.Equal(small, await ReadAllAsync(storage, "b1/small.bin"));
        var largeRead = await ReadAllAsync(storage, "b1/large.bin");
        Assert.True(large.AsSpan().SequenceEqual(largeRead));
        Assert.True(await storage.ExistsAsync("b1/small.bin", CancellationToken.None));
        Assert.False(await storage.ExistsAsync("b1/none.bin", CancellationToken.None));
        Assert.Equal($"azure://{AzuriteFixture.AccountName}/{container}/backups/prod/b1/small.bin", storage.Describe("b1/small.bin"));
        // Read back independently: the blob names are the prefix and the key, and the large one went up as staged blocks.
        var direct = azurite.CreateClient().GetBlobContainerClient(container);
        var names = new List<string>();
        await foreach (var item in direct.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions())) names.Add(item.Name);
        Assert.Equal(["backups/prod/b1/large.bin", "backups/prod/b1/small.bin"], names.Order());
        var blocks = await direct.GetBlockBlobClient("backups/prod/b1/large.bin").GetBlockListAsync();
        Assert.Equal(3, blocks.Value.CommittedBlocks.Count());
    }

    [Fact]
    public async Task Listing_pages_through_every_key_and_strips_the_prefix()
    {
        var container = await azurite.CreateContainerAsync();
        var storage = Storage(container);
        var paged = new AzureBlobBackupStorage(azurite.CreateClient().GetBlobContainerClient(container), AzuriteFixture.AccountName, "backups/prod", "test") { ListPageSize = 2 };
        for (var i = 0; i < 5; i++) await storage.WriteAsync($"b1/k{i}", new MemoryStream([1]), CancellationToken.None);
        await storage.WriteAsync("b2/other", new MemoryStream([1]), CancellationToken.None);

        var keys = await ListAsync(paged, "b1/");
        var none = await ListAsync(paged, "nothing/");

        Assert.Equal(["b1/k0", "b1/k1", "b1/k2", "b1/k3", "b1/k4"], keys.Order());
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_missing_blob_is_BackupObjectNotFound_asked_for_once()
    {
        var container = await azurite.CreateContainerAsync();
        using var proxy = new S3FaultProxy($"http://127.0.0.1:{azurite.Port}");
        var storage = Storage(container, endpoint: $"{proxy.Endpoint}/{AzuriteFixture.AccountName}");

        var e = await Assert.ThrowsAsync<BackupObjectNotFoundException>(() => storage.OpenReadAsync("b1/missing.bin", CancellationToken.None));

        Assert.Equal("BackupObjectNotFound", e.Reason);
        Assert.Contains(storage.Describe("b1/missing.bin"), e.Message, StringComparison.Ordinal);
        Assert.Equal(1, proxy.Count("GET", "b1/missing.bin"));
    }

    [Fact]
    public async Task A_wrong_account_key_is_StorageAccessDenied_naming_the_container_and_never_a_key()
    {
        var container = await azurite.CreateContainerAsync();
        await Storage(container).WriteAsync("b1/x", new MemoryStream([1]), CancellationToken.None);
        var wrong = Storage(container, key: WrongKey);

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => wrong.OpenReadAsync("b1/x", CancellationToken.None));
        var notBase64 = Assert.Throws<KafkaRestoredException>(() => Storage(container, key: "not-base64-secret-value!"));

        Assert.Equal("StorageAccessDenied", e.Reason);
        Assert.Contains($"Azure container '{container}' in account '{AzuriteFixture.AccountName}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("secret 'azure'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(WrongKey[..20], e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("b1/x", e.Message, StringComparison.Ordinal);
        Assert.Equal("StorageAccessDenied", notBase64.Reason);
        Assert.DoesNotContain("not-base64-secret-value", notBase64.ToString(), StringComparison.Ordinal);
        // Positive control: the right key reads the same blob.
        Assert.Equal([1], await ReadAllAsync(Storage(container), "b1/x"));
    }

    [Fact]
    public async Task A_missing_container_is_StorageNotFound_naming_it()
    {
        var storage = Storage("no-such-container");

        var read = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/x", CancellationToken.None));
        var list = await Assert.ThrowsAsync<KafkaRestoredException>(() => ListAsync(storage, "b1/"));

        Assert.Equal("StorageNotFound", read.Reason);
        Assert.Contains("Azure container 'no-such-container' in account 'devstoreaccount1' does not exist", read.Message, StringComparison.Ordinal);
        Assert.Equal("StorageNotFound", list.Reason);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_until_the_call_succeeds()
    {
        var container = await azurite.CreateContainerAsync();
        using var proxy = new S3FaultProxy($"http://127.0.0.1:{azurite.Port}");
        var storage = Storage(container, endpoint: $"{proxy.Endpoint}/{AzuriteFixture.AccountName}");
        var data = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        proxy.Fail(1, HttpStatusCode.ServiceUnavailable, "ServerBusy", r => r.HttpMethod == "PUT");
        proxy.Fail(1, HttpStatusCode.TooManyRequests, "ServerBusy", r => r.HttpMethod == "PUT");

        await storage.WriteAsync("b1/seg.bin", new MemoryStream(data), CancellationToken.None);
        proxy.Fail(1, HttpStatusCode.ServiceUnavailable, "ServerBusy", r => r.HttpMethod == "GET");
        proxy.Fail(1, HttpStatusCode.InternalServerError, "InternalError", r => r.HttpMethod == "GET");
        var read = await ReadAllAsync(storage, "b1/seg.bin");
        proxy.Fail(2, HttpStatusCode.ServiceUnavailable, "ServerBusy", r => r.HttpMethod == "GET" && r.RawUrl!.Contains("comp=list", StringComparison.Ordinal));
        var keys = await ListAsync(storage, "b1/");

        Assert.Equal(data, read);
        Assert.Equal(3, proxy.Count("PUT", "b1/seg.bin"));
        Assert.Equal(3, proxy.Count("GET", "b1/seg.bin"));
        Assert.Equal(["b1/seg.bin"], keys);
        Assert.Equal(3, proxy.Requests.Count(r => r.Contains("comp=list", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_download_cut_mid_blob_resumes_where_it_stopped()
    {
        var container = await azurite.CreateContainerAsync();
        using var proxy = new S3FaultProxy($"http://127.0.0.1:{azurite.Port}");
        var storage = Storage(container, endpoint: $"{proxy.Endpoint}/{AzuriteFixture.AccountName}");
        var data = new byte[3 * 1024 * 1024];
        new Random(5).NextBytes(data);
        await storage.WriteAsync("b1/big", new MemoryStream(data), CancellationToken.None);
        proxy.Cut(1, 1024 * 1024, r => r.HttpMethod == "GET" && r.RawUrl!.EndsWith("b1/big", StringComparison.Ordinal));

        var read = await ReadAllAsync(storage, "b1/big");

        Assert.True(data.AsSpan().SequenceEqual(read));
        Assert.Equal(2, proxy.Count("GET", "b1/big"));
    }

    [Fact]
    public async Task Throttling_past_the_last_attempt_is_StorageUnavailable_naming_the_container()
    {
        var container = await azurite.CreateContainerAsync();
        using var proxy = new S3FaultProxy($"http://127.0.0.1:{azurite.Port}");
        var storage = Storage(container, endpoint: $"{proxy.Endpoint}/{AzuriteFixture.AccountName}");
        await storage.WriteAsync("b1/seg.bin", new MemoryStream([1, 2, 3]), CancellationToken.None);
        proxy.Fail(FastRetry.MaxAttempts, HttpStatusCode.ServiceUnavailable, "ServerBusy", r => r.HttpMethod == "GET");

        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/seg.bin", CancellationToken.None));

        Assert.Equal("StorageUnavailable", e.Reason);
        Assert.Contains($"Azure container '{container}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 503 ServerBusy", e.Message, StringComparison.Ordinal);
        Assert.Equal(FastRetry.MaxAttempts, proxy.Count("GET", "b1/seg.bin"));
        // Positive control: the next read, with no fault left, succeeds.
        Assert.Equal([1, 2, 3], await ReadAllAsync(storage, "b1/seg.bin"));
    }

    [Fact]
    public async Task An_endpoint_nobody_listens_on_is_StorageUnavailable_after_the_retries()
    {
        var closed = $"http://127.0.0.1:{S3rverFixture.FreePort()}/{AzuriteFixture.AccountName}";
        var storage = Storage("any-container", endpoint: closed);

        var read = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.OpenReadAsync("b1/x", CancellationToken.None));
        var write = await Assert.ThrowsAsync<KafkaRestoredException>(() => storage.WriteAsync("b1/x", new MemoryStream([1]), CancellationToken.None));

        Assert.Equal("StorageUnavailable", read.Reason);
        Assert.Contains("Azure container 'any-container'", read.Message, StringComparison.Ordinal);
        Assert.Contains("reachable", read.Message, StringComparison.Ordinal);
        Assert.Equal("StorageUnavailable", write.Reason);
    }

    [Fact]
    public async Task A_sas_token_from_a_secret_reads_and_writes_and_a_read_only_one_is_denied_writing_without_the_token_in_the_message()
    {
        var container = await azurite.CreateContainerAsync();
        var client = azurite.CreateClient().GetBlobContainerClient(container);
        string Sas(BlobContainerSasPermissions permissions) =>
            client.GenerateSasUri(permissions, DateTimeOffset.UtcNow.AddHours(1)).Query;
        var full = Sas(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.Write | BlobContainerSasPermissions.Create | BlobContainerSasPermissions.List);
        var readOnly = Sas(BlobContainerSasPermissions.Read);
        AzuriteFixture.WriteSecret(_secrets.Path, "sas-full", "AZURE_SAS_TOKEN", full);
        AzuriteFixture.WriteSecret(_secrets.Path, "sas-read", "token", readOnly);
        AzureBlobBackupStorage WithSas(string name, string key) => AzureBlobBackupStorage.Create(
            new AzureStorageSpec(container, AzuriteFixture.AccountName, "p", azurite.Endpoint, null, new AzureSasTokenSecretRef(name, key)),
            new SecretStore(_secrets.Path), FastRetry);

        await WithSas("sas-full", "AZURE_SAS_TOKEN").WriteAsync("b1/x", new MemoryStream([7]), CancellationToken.None);
        var read = await ReadAllAsync(WithSas("sas-read", "token"), "b1/x");
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => WithSas("sas-read", "token").WriteAsync("b1/y", new MemoryStream([8]), CancellationToken.None));

        Assert.Equal([7], read);
        Assert.Equal("StorageAccessDenied", e.Reason);
        Assert.Contains("SAS token from secret 'sas-read'", e.Message, StringComparison.Ordinal);
        var signature = System.Web.HttpUtility.ParseQueryString(readOnly)["sig"]!;
        Assert.DoesNotContain(signature, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Uri.EscapeDataString(signature), e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_key_or_token_the_ambient_credential_is_used_and_its_refusal_is_StorageAccessDenied()
    {
        var container = await azurite.CreateContainerAsync();
        AzureBlobBackupStorage Ambient(string endpoint) => AzureBlobBackupStorage.Create(
            new AzureStorageSpec(container, AzuriteFixture.AccountName, null, endpoint, null, null), new SecretStore(_secrets.Path), FastRetry);

        // A bearer token is sent over https only: over Azurite's http the storage is refused before any request.
        var overHttp = Assert.Throws<KafkaRestoredException>(() => Ambient(azurite.Endpoint));
        // Over https the credential chain runs first; this host has no Azure identity, so it finds none.
        var noIdentity = await Assert.ThrowsAsync<KafkaRestoredException>(() => Ambient($"https://127.0.0.1:{azurite.Port}/{AzuriteFixture.AccountName}")
            .OpenReadAsync("b1/x", CancellationToken.None)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal("StorageAccessDenied", overHttp.Reason);
        Assert.Contains("only sent over https", overHttp.Message, StringComparison.Ordinal);
        Assert.Equal("StorageAccessDenied", noIdentity.Reason);
        Assert.Contains("ambient Azure credential", noIdentity.Message, StringComparison.Ordinal);
        Assert.Contains($"Azure container '{container}'", noIdentity.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_backup_removes_its_blobs_only() =>
        await StorageDeletion.DeletesOneBackupAndNothingElseAsync(Storage(await azurite.CreateContainerAsync()));
}
