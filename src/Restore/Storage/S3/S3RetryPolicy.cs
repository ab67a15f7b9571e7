using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace KafkaRestored.Restore.Storage.S3;

/// <summary>
/// Retries of S3 calls: throttling (503 SlowDown, 429), other 5xx and transport errors are retried
/// with capped exponential backoff and full jitter; everything else (404, 403...) fails at once.
/// </summary>
public sealed record S3RetryPolicy
{
    /// <summary>Attempts in all, the first included (default 6).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>Delay cap before the second attempt; doubles each time.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Clock for the delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Delay before attempt <paramref name="attempt"/> (2 = first retry): random in [0, min(cap, base·2^(attempt−2))].</summary>
    public TimeSpan DelayBefore(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Max(0, attempt - 2)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    /// <summary>Whether a failure is transient.</summary>
    public static bool IsTransient(Exception e, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return false;
        switch (e)
        {
            case AmazonServiceException s when s.StatusCode != 0:
                var code = (int)s.StatusCode;
                return code == 429 || code >= 500
                    || s.ErrorCode is "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException" or "RequestTimeTooSkewed";
            case HttpRequestException or IOException or SocketException or TimeoutException:
                return true;
            case OperationCanceledException:
                return true; // an HTTP timeout, since the caller's token is not cancelled
            case AmazonServiceException:
                return e.InnerException is null || IsTransient(e.InnerException, ct); // no HTTP status: no response
            case AmazonClientException:
                return e.InnerException is not null && IsTransient(e.InnerException, ct); // e.g. no credentials: not transient
            default:
                return e.InnerException is not null && IsTransient(e.InnerException, ct);
        }
    }

    /// <summary>True for a 404 on an object (NoSuchKey, or no error code on HEAD).</summary>
    public static bool IsNotFound(Exception e) =>
        e is AmazonS3Exception s && s.StatusCode == HttpStatusCode.NotFound && s.ErrorCode is not "NoSuchBucket" and not "NoSuchUpload";
}
