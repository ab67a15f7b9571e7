using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage.S3;

namespace KafkaRestored.Restore.Storage.Azure;

/// <summary>
/// Backups in an Azure Blob Storage container (or Azurite), with the same keys as on S3. Reads
/// stream, and the SDK resumes a dropped download with a ranged GET pinned to the blob's ETag;
/// writes go up as blocks of <see cref="BlockSize"/>, one at a time, committed at the end, so a
/// blob appears whole or not at all. Throttling (429, 503), other 5xx and transport errors are
/// retried by the SDK with the S3 policy's attempts and delays. Errors name the account and
/// container, never a credential.
/// </summary>
public sealed class AzureBlobBackupStorage : IBackupStorage
{
    /// <summary>Block size of staged uploads, and the size up to which a blob goes up in one request.</summary>
    public const int BlockSize = 16 * 1024 * 1024;

    private readonly BlobContainerClient _container;
    private readonly string _account;
    private readonly string _prefix;
    private readonly string _credentialsSource;

    /// <summary>Uses an existing container client; <paramref name="credentialsSource"/> says in errors which credential was used.</summary>
    public AzureBlobBackupStorage(BlobContainerClient container, string account, string? prefix, string credentialsSource)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _account = account;
        _prefix = NormalizePrefix(prefix);
        _credentialsSource = credentialsSource;
    }

    /// <summary>Builds the client from a storage spec: endpoint (or the account's public one), and the account key, SAS token or ambient credential.</summary>
    /// <exception cref="KafkaRestoredException">SecretNotFound when a secret cannot be read; StorageAccessDenied when the account key is not base64.</exception>
    public static AzureBlobBackupStorage Create(AzureStorageSpec spec, SecretStore secrets, S3RetryPolicy? retry = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(secrets);
        var service = new Uri(spec.Endpoint ?? $"https://{spec.AccountName}.blob.core.windows.net");
        var options = ClientOptions(retry ?? new S3RetryPolicy());
        BlobServiceClient client;
        string source;
        if (spec.CredentialsSecret is { } keyRef)
        {
            source = $"the account key from secret '{keyRef.Name}' (key '{keyRef.AccountKeyKey}')";
            StorageSharedKeyCredential credential;
            try
            {
                credential = new StorageSharedKeyCredential(spec.AccountName, secrets.Read(keyRef.Name, keyRef.AccountKeyKey).Trim());
            }
            catch (FormatException)
            {
                // The message of a FormatException could quote the value: it is the account key, so it is dropped.
                throw new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"{source} is not a base64 storage account key; put the account's key1 or key2 there (for Azure container '{spec.Container}' in account '{spec.AccountName}').");
            }
            client = new BlobServiceClient(service, credential, options);
        }
        else if (spec.SasTokenSecret is { } sasRef)
        {
            source = $"the SAS token from secret '{sasRef.Name}' (key '{sasRef.SasTokenKey}')";
            var token = secrets.Read(sasRef.Name, sasRef.SasTokenKey).Trim().TrimStart('?');
            client = new BlobServiceClient(service, new AzureSasCredential(token), options);
        }
        else
        {
            source = "the host's ambient Azure credential (DefaultAzureCredential: environment, workload identity, managed identity)";
            // The SDK refuses to send a bearer token over plain http (the constructor throws).
            if (service.Scheme != Uri.UriSchemeHttps)
                throw new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"{source} is a bearer token, which is only sent over https, but azure.endpoint is {service.Scheme} (for Azure container '{spec.Container}' in account '{spec.AccountName}'); use an https endpoint, or set azure.credentialsSecret or azure.sasTokenSecret.");
            client = new BlobServiceClient(service, new DefaultAzureCredential(), options);
        }
        return new AzureBlobBackupStorage(client.GetBlobContainerClient(spec.Container), spec.AccountName, spec.Prefix, source);
    }

    /// <summary>The SDK's exponential retry with the S3 policy's attempts and delay caps, and a two-minute network timeout per try.</summary>
    public static BlobClientOptions ClientOptions(S3RetryPolicy retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = Math.Max(0, retry.MaxAttempts - 1);
        options.Retry.Delay = retry.BaseDelay;
        options.Retry.MaxDelay = retry.MaxDelay;
        options.Retry.NetworkTimeout = TimeSpan.FromMinutes(2);
        // Request logging could carry SAS query parameters; diagnostics stay off.
        options.Diagnostics.IsLoggingEnabled = false;
        options.Diagnostics.IsDistributedTracingEnabled = false;
        options.Diagnostics.IsTelemetryEnabled = false;
        return options;
    }

    /// <summary>Keys per listing page (Azure caps it at 5000); smaller values exercise pagination.</summary>
    public int ListPageSize { get; init; } = 5000;

    /// <summary>The container as errors name it: account and container, nothing else.</summary>
    private string ContainerName => $"Azure container '{_container.Name}' in account '{_account}'";

    /// <inheritdoc />
    public string Describe(string key) => $"azure://{_account}/{_container.Name}/{_prefix}{key}";

    /// <inheritdoc />
    /// <remarks>Blob storage has no links: a key is what it says, and the manifest checks keep it under its backup's prefix.</remarks>
    public void CheckInsideFolder(string key) => StorageKeys.Validate(key);

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        var blob = _container.GetBlobClient(_prefix + key);
        var response = await CallAsync("read", key, () => blob.DownloadStreamingAsync(new BlobDownloadOptions(), ct), ct);
        return new AzureReadStream(this, key, response.Value.Content, response.Value.Details.ContentLength);
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        var blob = _container.GetBlobClient(_prefix + key);
        try
        {
            await CallAsync("check", key, () => blob.GetPropertiesAsync(cancellationToken: ct), ct);
            return true;
        }
        catch (BackupObjectNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(string key, Stream content, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        var blob = _container.GetBlobClient(_prefix + key);
        var options = new BlobUploadOptions
        {
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize, MaximumConcurrency = 1 },
        };
        // No retry of our own around the upload: the SDK buffers each block and retries it, and a second pass could not re-read the caller's stream.
        await CallAsync("write", key, () => blob.UploadAsync(content, options, ct), ct);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        var blob = _container.GetBlobClient(_prefix + key);
        await CallAsync("delete", key, () => blob.DeleteIfExistsAsync(cancellationToken: ct), ct);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        string? continuation = null;
        do
        {
            var pages = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = _prefix + prefix }, ct).AsPages(continuation, ListPageSize);
            var page = await CallAsync("list", prefix, () => FirstPageAsync(pages), ct);
            if (page is null) yield break;
            foreach (var item in page.Values)
            {
                if (item.Name.StartsWith(_prefix, StringComparison.Ordinal)) yield return item.Name[_prefix.Length..];
            }
            continuation = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
        }
        while (continuation is not null);
    }

    private static async Task<Page<BlobItem>?> FirstPageAsync(IAsyncEnumerable<Page<BlobItem>> pages)
    {
        await foreach (var page in pages) return page;
        return null;
    }

    /// <summary>Runs one SDK call (retried inside the SDK) and turns its final failure into a user-facing error.</summary>
    internal async Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (!ct.IsCancellationRequested && Failure(operation, key, e) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>The user-facing error for a final SDK failure, or null when <paramref name="e"/> is not a storage failure.</summary>
    internal KafkaRestoredException? Failure(string operation, string key, Exception e)
    {
        // Azure.Core throws an AggregateException of every try's failure once its retries are spent.
        if (e is AggregateException { InnerExceptions.Count: > 0 } all) return Failure(operation, key, all.InnerExceptions[^1]);
        if (e is RequestFailedException { Status: 0 } noAnswer)
            return new KafkaRestoredException(FailureReason.StorageUnavailable,
                $"Azure could not {operation} in {ContainerName} after retries: {Innermost(noAnswer).Message}; check that the endpoint is reachable and healthy, then retry.");
        if (e is RequestFailedException r)
        {
            // The SDK's own message quotes the service's answer (for a bad signature, the signature): only status and code are kept.
            var code = string.IsNullOrEmpty(r.ErrorCode) ? "no error code" : r.ErrorCode;
            if (r.Status == (int)HttpStatusCode.NotFound && r.ErrorCode is "ContainerNotFound")
                return new KafkaRestoredException(FailureReason.StorageNotFound,
                    $"{ContainerName} does not exist (while trying to {operation} under prefix '{_prefix}'); check storage.azure.container, accountName and endpoint.");
            if (r.Status == (int)HttpStatusCode.NotFound && operation != "list")
                return new BackupObjectNotFoundException(key, Describe(key));
            if (r.Status is (int)HttpStatusCode.Forbidden or (int)HttpStatusCode.Unauthorized)
                return new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"Azure refused to {operation} in {ContainerName} (HTTP {r.Status} {code}) with {_credentialsSource}; check the key or token, its permissions and expiry.");
            return new KafkaRestoredException(FailureReason.StorageUnavailable,
                $"Azure could not {operation} in {ContainerName} after retries: HTTP {r.Status} {code}; check that the endpoint is reachable and healthy, then retry.");
        }
        if (e is AuthenticationFailedException or CredentialUnavailableException)
            return new KafkaRestoredException(FailureReason.StorageAccessDenied,
                $"no Azure credential for {ContainerName}: {_credentialsSource} found none usable; set azure.credentialsSecret or azure.sasTokenSecret, or give the host an identity.");
        if (e is HttpRequestException or IOException or TimeoutException or OperationCanceledException)
            return new KafkaRestoredException(FailureReason.StorageUnavailable,
                $"Azure could not {operation} in {ContainerName} after retries: {Innermost(e).Message}; check that the endpoint is reachable and healthy, then retry.");
        return null;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }

    private static string NormalizePrefix(string? prefix)
    {
        var p = (prefix ?? "").Trim('/');
        return p.Length == 0 ? "" : p + "/";
    }
}
