using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Services;
using Google.Apis.Storage.v1;
using Google.Cloud.Storage.V1;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage.S3;
using GcsObject = Google.Apis.Storage.v1.Data.Object;

namespace KafkaRestored.Restore.Storage.Gcs;

/// <summary>
/// Backups in a Google Cloud Storage bucket (or an emulator of its JSON API), with the same keys
/// as on S3. Reads stream one object generation and resume a dropped body with a ranged GET of that
/// generation; writes up to <see cref="UploadChunkSize"/> go up in one request, larger ones as a
/// resumable upload of such chunks, and a stored size that differs from what was sent is an error
/// (the object is deleted). Throttling (429), 5xx and transport errors are retried under the S3
/// policy. Errors name the bucket, never a key or token.
/// </summary>
public sealed class GcsBackupStorage : IBackupStorage, IDisposable
{
    /// <summary>Default chunk of resumable uploads, and the size up to which an object goes up in one request.</summary>
    public const int DefaultChunkSize = 16 * 1024 * 1024;

    private const string ContentType = "application/octet-stream";

    private readonly StorageClient _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly string _credentialsSource;

    /// <summary>Uses an existing client (owned from now on); <paramref name="credentialsSource"/> says in errors which credential was used.</summary>
    public GcsBackupStorage(StorageClient client, string bucket, string? prefix, string credentialsSource, S3RetryPolicy? retry = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = client;
        _bucket = bucket;
        _prefix = (prefix ?? "").Trim('/') is { Length: > 0 } p ? p + "/" : "";
        _credentialsSource = credentialsSource;
        Retry = retry ?? new S3RetryPolicy();
    }

    /// <summary>Builds the client from a storage spec: endpoint (or Google's), and the service account key from the secret or the application default credentials.</summary>
    /// <exception cref="KafkaRestoredException">SecretNotFound when the secret cannot be read; StorageAccessDenied when the key is unusable or no default credential exists.</exception>
    public static GcsBackupStorage Create(GcsStorageSpec spec, SecretStore secrets, S3RetryPolicy? retry = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(secrets);
        var (credential, source) = GcsCredentials.Load(spec, secrets);
        var root = (spec.Endpoint ?? "https://storage.googleapis.com").TrimEnd('/');
        var service = new StorageService(new BaseClientService.Initializer
        {
            HttpClientInitializer = credential,
            BaseUri = root + "/storage/v1/",
            ApplicationName = "kafka-restored",
            GZipEnabled = false,
            // Retries are ours, under one policy for every call; the client's own would multiply them.
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        });
        service.HttpClient.Timeout = TimeSpan.FromMinutes(2);
        return new GcsBackupStorage(new StorageClientImpl(service), spec.Bucket, spec.Prefix, source, retry);
    }

    /// <summary>Chunk size of uploads (a multiple of 256 KiB); smaller values exercise resumable uploads.</summary>
    public int UploadChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>Keys per listing page (GCS caps it at 1000); smaller values exercise pagination.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>The retry policy in use.</summary>
    public S3RetryPolicy Retry { get; }

    /// <summary>The client, for tests that build a second storage over the same connection.</summary>
    internal StorageClient Client => _client;

    private string BucketName => $"GCS bucket '{_bucket}'";

    /// <inheritdoc />
    public string Describe(string key) => $"gs://{_bucket}/{_prefix}{key}";

    /// <inheritdoc />
    /// <remarks>GCS has no links: a key is what it says, and the manifest checks keep it under its backup's prefix.</remarks>
    public void CheckInsideFolder(string key) => StorageKeys.Validate(key);

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        var metadata = await CallAsync("read", key, () => _client.Service.Objects.Get(_bucket, _prefix + key).ExecuteAsync(ct), ct);
        var generation = metadata.Generation ?? 0;
        var body = await OpenBodyAsync(key, generation, 0, ct);
        return new GcsReadStream(this, key, generation, (long)(metadata.Size ?? 0), body);
    }

    /// <summary>The media of one generation of an object from byte <paramref name="from"/> on, as a stream read as it arrives.</summary>
    internal Task<Stream> OpenBodyAsync(string key, long generation, long from, CancellationToken ct) =>
        CallAsync("read", key, async () =>
        {
            var uri = $"{_client.Service.BaseUri}b/{Uri.EscapeDataString(_bucket)}/o/{Uri.EscapeDataString(_prefix + key)}?alt=media";
            if (generation != 0) uri += $"&generation={generation}";
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (from > 0) request.Headers.Range = new RangeHeaderValue(from, null);
            var response = await _client.Service.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!response.IsSuccessStatusCode)
            {
                response.Dispose();
                throw new GoogleApiException("storage", $"media GET answered {(int)response.StatusCode}") { HttpStatusCode = response.StatusCode };
            }
            return await response.Content.ReadAsStreamAsync(ct);
        }, ct);

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        try
        {
            await CallAsync("delete", key, () => _client.Service.Objects.Delete(_bucket, _prefix + key).ExecuteAsync(ct), ct);
        }
        catch (BackupObjectNotFoundException)
        {
            // Already gone (an earlier retention run, or a retried delete that did land): deleting is done.
        }
    }

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        try
        {
            await CallAsync("check", key, () => _client.Service.Objects.Get(_bucket, _prefix + key).ExecuteAsync(ct), ct);
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
        var name = _prefix + key;
        var buffer = new byte[UploadChunkSize];
        var first = await S3BackupStorage.FillAsync(content, buffer, ct);
        var options = new UploadObjectOptions { ChunkSize = UploadChunkSize };
        GcsObject stored;
        long sent;
        var unsent = false;
        if (first < buffer.Length)
        {
            // One request from memory, so a failed try can be sent again.
            sent = first;
            stored = await CallAsync("write", key, () => _client.UploadObjectAsync(_bucket, name, ContentType, new MemoryStream(buffer, 0, first, writable: false), options, ct, null), ct);
        }
        else
        {
            // A resumable upload in chunks; the caller's stream cannot be read twice, so no try is repeated.
            var source = new HeadThenRestStream(buffer, content);
            stored = await CallAsync("write", key, () => _client.UploadObjectAsync(_bucket, name, ContentType, source, options, ct, null), ct, retry: false);
            sent = source.Position;
            // A store that declares the upload done while the source still has bytes kept only part of it.
            unsent = await source.ReadAsync(new byte[1], ct) > 0;
        }
        if ((long)(stored.Size ?? 0) != sent || unsent)
        {
            // A store that ends a resumable upload early must not leave half an object behind a name that promises a whole one.
            try { await _client.Service.Objects.Delete(_bucket, name).ExecuteAsync(CancellationToken.None); }
            catch (GoogleApiException) { }
            catch (HttpRequestException) { }
            throw new KafkaRestoredException(FailureReason.StorageUnavailable,
                $"{BucketName} stored {stored.Size ?? 0} bytes of {Describe(key)} while {sent}{(unsent ? " and more" : "")} were being sent; the object was deleted. Check that the endpoint is a complete GCS JSON API, then retry.");
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var request = _client.Service.Objects.List(_bucket);
            request.Prefix = _prefix + prefix;
            request.PageToken = token;
            request.MaxResults = ListPageSize;
            var page = await CallAsync("list", prefix, () => request.ExecuteAsync(ct), ct);
            foreach (var item in page.Items ?? [])
            {
                if (item.Name.StartsWith(_prefix, StringComparison.Ordinal)) yield return item.Name[_prefix.Length..];
            }
            token = string.IsNullOrEmpty(page.NextPageToken) ? null : page.NextPageToken;
        }
        while (token is not null);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>Runs one call under the retry policy (unless <paramref name="retry"/> is false) and turns its final failure into a user-facing error.</summary>
    internal async Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call, CancellationToken ct, bool retry = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (retry && attempt < Retry.MaxAttempts && IsTransient(e, ct))
            {
                await Task.Delay(Retry.DelayBefore(attempt + 1), Retry.TimeProvider, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && Failure(operation, key, e, attempt) is { } failure)
            {
                throw failure;
            }
        }
    }

    /// <summary>Whether a failure is worth another try: 408, 429, 5xx, or no answer at all.</summary>
    internal static bool IsTransient(Exception e, CancellationToken ct) => !ct.IsCancellationRequested && e switch
    {
        GoogleApiException g when g.HttpStatusCode != 0 => (int)g.HttpStatusCode is 408 or 429 or >= 500,
        TokenResponseException t => t.StatusCode is { } s && ((int)s is 429 or >= 500),
        HttpRequestException or IOException or TimeoutException or OperationCanceledException => true,
        _ => e.InnerException is { } inner && IsTransient(inner, ct),
    };

    /// <summary>The user-facing error for a final failure, or null when <paramref name="e"/> is not a storage failure.</summary>
    internal KafkaRestoredException? Failure(string operation, string key, Exception e, int attempts)
    {
        switch (e)
        {
            case GoogleApiException { HttpStatusCode: HttpStatusCode.NotFound } g when IsBucketMissing(g):
                return new KafkaRestoredException(FailureReason.StorageNotFound,
                    $"{BucketName} does not exist (while trying to {operation} under prefix '{_prefix}'); check storage.gcs.bucket and endpoint.");
            case GoogleApiException { HttpStatusCode: HttpStatusCode.NotFound } when operation != "list":
                return new BackupObjectNotFoundException(key, Describe(key));
            case GoogleApiException { HttpStatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } g:
                // The service's message may quote the account or the request: only status and reason are kept.
                return new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"GCS refused to {operation} in {BucketName} (HTTP {(int)g.HttpStatusCode} {Reason(g)}) with {_credentialsSource}; check the key, the account's roles on the bucket and that the key is not disabled.");
            case GoogleApiException g when g.HttpStatusCode != 0:
                return Unavailable(operation, attempts, $"HTTP {(int)g.HttpStatusCode} {Reason(g)}");
            case TokenResponseException t when !IsTransient(t, CancellationToken.None):
                return new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"Google refused the credential for {BucketName} ({t.Error?.Error ?? "no error code"}) from {_credentialsSource}; check that the service account key is valid, enabled and not expired.");
            case InvalidOperationException when e.Message.Contains("Application Default Credentials", StringComparison.Ordinal):
                return new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"no Google credential for {BucketName}: {_credentialsSource} found none; set gcs.credentialsSecret, or give the host application default credentials.");
        }
        return IsTransient(e, CancellationToken.None) ? Unavailable(operation, attempts, Innermost(e).Message) : null;
    }

    private KafkaRestoredException Unavailable(string operation, int attempts, string detail) =>
        new(FailureReason.StorageUnavailable,
            $"GCS could not {operation} in {BucketName} after {attempts} attempt(s): {detail}; check that the endpoint is reachable and healthy, then retry.");

    private static bool IsBucketMissing(GoogleApiException e) =>
        e.Error?.Message?.Contains("bucket does not exist", StringComparison.OrdinalIgnoreCase) == true;

    private static string Reason(GoogleApiException e) => e.Error?.Errors?.FirstOrDefault()?.Reason ?? "no reason";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
