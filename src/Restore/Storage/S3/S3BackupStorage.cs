using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Storage.S3;

/// <summary>
/// Backups in Amazon S3 or an S3-compatible store (path-style endpoint). Reads stream and resume
/// with ranged GETs after a dropped connection; writes above <see cref="PartSize"/> go up as a
/// multipart upload one part at a time, so memory stays at one part. Transient errors are retried
/// by <see cref="S3RetryPolicy"/>; a missing object is not.
/// </summary>
public sealed class S3BackupStorage : IBackupStorage, IDisposable
{
    /// <summary>Part size of multipart uploads, and the threshold above which they are used.</summary>
    public const int PartSize = 16 * 1024 * 1024;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly string _credentialsSource;

    /// <summary>Uses an existing client (owned by this instance from now on).</summary>
    public S3BackupStorage(IAmazonS3 client, string bucket, string? prefix, S3RetryPolicy? retry = null, string credentialsSource = "the client's credentials")
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        _client = client;
        _bucket = bucket;
        _prefix = NormalizePrefix(prefix);
        _credentialsSource = credentialsSource;
        Retry = retry ?? new S3RetryPolicy();
    }

    /// <summary>Builds the client from a storage spec: endpoint and path style, region, credentials from the secret or the SDK's default chain.</summary>
    public static S3BackupStorage Create(S3StorageSpec spec, SecretStore secrets, S3RetryPolicy? retry = null)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = spec.ForcePathStyle,
            MaxErrorRetry = 0, // retries are ours, with one policy for every call
            Timeout = TimeSpan.FromMinutes(2),
        };
        if (!string.IsNullOrEmpty(spec.Endpoint))
        {
            config.ServiceURL = spec.Endpoint;
            config.AuthenticationRegion = string.IsNullOrEmpty(spec.Region) ? "us-east-1" : spec.Region;
            // S3-compatible stores often reject the newer flexible-checksum trailers.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else if (!string.IsNullOrEmpty(spec.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(spec.Region);
        }
        AmazonS3Client client;
        string source;
        if (spec.CredentialsSecret is { } secret)
        {
            var credentials = new BasicAWSCredentials(
                secrets.Read(secret.Name, secret.AccessKeyKey), secrets.Read(secret.Name, secret.SecretKeyKey));
            client = new AmazonS3Client(credentials, config);
            source = $"credentials from secret '{secret.Name}' (keys '{secret.AccessKeyKey}', '{secret.SecretKeyKey}')";
        }
        else
        {
            client = new AmazonS3Client(config);
            source = "the AWS SDK default credential chain (environment, profile, instance role)";
        }
        return new S3BackupStorage(client, spec.Bucket, spec.Prefix, retry, source);
    }

    /// <summary>Keys per listing page (S3 caps it at 1000); smaller values exercise pagination.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Objects larger than this are read in ranged parts of this size ahead of the reader (<see cref="S3PartsReadStream"/>); smaller ones in one GET.</summary>
    public int ReadPartBytes { get; internal set; } = S3PartsReadStream.DefaultPartBytes;

    /// <summary>The retry policy in use.</summary>
    public S3RetryPolicy Retry { get; }

    /// <inheritdoc />
    public string Describe(string key) => $"s3://{_bucket}/{_prefix}{key}";

    /// <inheritdoc />
    /// <remarks>S3 has no links: a key is what it says, and the manifest checks keep it under its backup's prefix.</remarks>
    public void CheckInsideFolder(string key) => StorageKeys.Validate(key);

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        var response = await CallAsync("read", key, () => _client.GetObjectAsync(new GetObjectRequest { BucketName = _bucket, Key = _prefix + key }, ct), ct);
        var body = new S3ReadStream(this, key, response);
        // A large object is read in ranged parts ahead of the reader (S3PartsReadStream); a small one streams.
        return response.ContentLength > ReadPartBytes
            ? new S3PartsReadStream(this, key, body, ReadPartBytes, response.ContentLength, ct)
            : body;
    }

    /// <summary>GETs <paramref name="count"/> bytes from <paramref name="start"/>, insisting on the version first opened.</summary>
    internal Task<GetObjectResponse> GetRangeAsync(string key, long start, int count, string? etag, CancellationToken ct) =>
        CallAsync("read", key, () => _client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            ByteRange = new ByteRange(start, start + count - 1),
            EtagToMatch = etag,
        }, ct), ct);

    /// <summary>Re-opens an object from <paramref name="position"/> after a dropped connection, insisting on the same version.</summary>
    internal Task<GetObjectResponse> ResumeAsync(string key, long position, string? etag, CancellationToken ct) =>
        CallAsync("read", key, () => _client.GetObjectAsync(new GetObjectRequest
        {
            BucketName = _bucket,
            Key = _prefix + key,
            ByteRange = new ByteRange(position, long.MaxValue - 1),
            EtagToMatch = etag,
        }, ct), ct);

    /// <inheritdoc />
    public async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        try
        {
            await CallAsync("check", key, () => _client.GetObjectMetadataAsync(_bucket, _prefix + key, ct), ct);
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
        var buffer = new byte[PartSize];
        var first = await FillAsync(content, buffer, ct);
        if (first < buffer.Length)
        {
            await CallAsync("write", key, () => _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _bucket,
                Key = _prefix + key,
                InputStream = new MemoryStream(buffer, 0, first, writable: false),
                AutoCloseStream = true,
                UseChunkEncoding = false,
            }, ct), ct);
            return;
        }
        var upload = await CallAsync("write", key, () => _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _bucket, Key = _prefix + key }, ct), ct);
        try
        {
            var parts = new List<PartETag>();
            var length = first;
            while (length > 0)
            {
                var partNumber = parts.Count + 1;
                var partLength = length;
                var response = await CallAsync("write", key, () => _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = _prefix + key,
                    UploadId = upload.UploadId,
                    PartNumber = partNumber,
                    PartSize = partLength,
                    InputStream = new MemoryStream(buffer, 0, partLength, writable: false),
                    UseChunkEncoding = false,
                }, ct), ct);
                parts.Add(new PartETag(partNumber, response.ETag));
                length = await FillAsync(content, buffer, ct);
            }
            await CallAsync("write", key, () => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = _prefix + key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, ct), ct);
        }
        catch
        {
            try
            {
                await _client.AbortMultipartUploadAsync(_bucket, _prefix + key, upload.UploadId, CancellationToken.None);
            }
            catch (AmazonServiceException) { }
            catch (AmazonClientException) { }
            catch (HttpRequestException) { }
            throw;
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        StorageKeys.Validate(key);
        // S3 answers a delete of a missing key with success.
        await CallAsync("delete", key, () => _client.DeleteObjectAsync(_bucket, _prefix + key, ct), ct);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix, ContinuationToken = token, MaxKeys = ListPageSize };
            var page = await CallAsync("list", prefix, () => _client.ListObjectsV2Async(request, ct), ct);
            // SDK v4 returns null, not an empty list, when a page has no objects.
            foreach (var o in page.S3Objects ?? [])
            {
                if (o.Key.StartsWith(_prefix, StringComparison.Ordinal)) yield return o.Key[_prefix.Length..];
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>Runs one S3 call under the retry policy and turns final failures into user-facing errors.</summary>
    internal async Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (S3RetryPolicy.IsNotFound(e) && operation != "list")
            {
                throw new BackupObjectNotFoundException(key, Describe(key), e);
            }
            catch (Exception e) when (attempt < Retry.MaxAttempts && S3RetryPolicy.IsTransient(e, ct))
            {
                await Task.Delay(Retry.DelayBefore(attempt + 1), Retry.TimeProvider, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
            {
                throw Failure(operation, key, e, attempt);
            }
        }
    }

    private KafkaRestoredException Failure(string operation, string key, Exception e, int attempts)
    {
        var location = Describe(key);
        if (e is AmazonS3Exception s)
        {
            if (s.StatusCode == HttpStatusCode.NotFound && s.ErrorCode == "NoSuchBucket")
                return new KafkaRestoredException(FailureReason.StorageNotFound,
                    $"S3 bucket '{_bucket}' does not exist (while trying to {operation} {location}); check storage.s3.bucket, region and endpoint.", e);
            if (s.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
                return new KafkaRestoredException(FailureReason.StorageAccessDenied,
                    $"S3 refused to {operation} {location} ({s.ErrorCode}: {s.Message}) with {_credentialsSource}; check the credentials and the bucket policy.", e);
        }
        var detail = e is AmazonServiceException service && service.StatusCode != 0
            ? $"HTTP {(int)service.StatusCode} {service.ErrorCode}: {service.Message}"
            : Innermost(e).Message;
        return new KafkaRestoredException(FailureReason.StorageUnavailable,
            $"S3 could not {operation} {location} after {attempts} attempt(s): {detail}; check that the endpoint is reachable and healthy, then retry.", e);
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

    /// <summary>Reads into <paramref name="buffer"/> until it is full or the stream ends; returns the bytes read.</summary>
    internal static async Task<int> FillAsync(Stream source, byte[] buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await source.ReadAsync(buffer.AsMemory(total), ct);
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
