using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// The fake S3 endpoint the trust-boundary tests rely on: a real AWSSDK.S3 client signs its
/// requests with the access key id, which the endpoint records, and reads its XML error as S3's.
/// </summary>
public sealed class RecordingS3EndpointTests
{
    [Theory]
    [InlineData(403, HttpStatusCode.Forbidden, "AccessDenied")]
    [InlineData(404, HttpStatusCode.NotFound, "NoSuchKey")]
    public async Task An_aws_sdk_client_sends_it_the_access_key_id_and_reads_its_s3_error(int status, HttpStatusCode expected, string code)
    {
        using var s3 = new RecordingS3Endpoint(status, TimeSpan.FromMinutes(1));
        var accessKeyId = "AKIA" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        var secretKey = $"planted-secret-key-{Guid.NewGuid():N}";
        using var client = new AmazonS3Client(new BasicAWSCredentials(accessKeyId, secretKey), new AmazonS3Config
        {
            ServiceURL = s3.Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

        var e = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync(new GetObjectRequest { BucketName = "backups", Key = "backup-1/manifest.json" }));

        Assert.Equal(expected, e.StatusCode);
        Assert.Equal(code, e.ErrorCode);
        Assert.Contains("GET /backups/backup-1/manifest.json HTTP/1.1", s3.RequestLines);
        Assert.True(s3.HasReceived(accessKeyId), "the access key id (Authorization: AWS4-HMAC-SHA256 Credential=...) was not recorded");
        Assert.True(s3.HasReceived("Authorization: AWS4-HMAC-SHA256 Credential=" + accessKeyId));
        // SigV4 sends a signature, never the secret key itself.
        Assert.False(s3.HasReceived(secretKey));
    }

    [Fact]
    public async Task Body_bytes_of_a_put_are_recorded()
    {
        using var s3 = new RecordingS3Endpoint(403, TimeSpan.FromMinutes(1));
        var marker = $"body-marker-{Guid.NewGuid():N}";
        using var client = new AmazonS3Client(new BasicAWSCredentials("AKIAEXAMPLEEXAMPLE00", "secret"), new AmazonS3Config
        {
            ServiceURL = s3.Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            MaxErrorRetry = 0,
        });

        await Assert.ThrowsAsync<AmazonS3Exception>(() => client.PutObjectAsync(new PutObjectRequest { BucketName = "backups", Key = "k", ContentBody = marker }));

        Assert.Contains(s3.RequestLines, l => l.StartsWith("PUT /backups/k", StringComparison.Ordinal));
        Assert.True(s3.HasReceived(marker), "the PUT body was not recorded");
    }
}
