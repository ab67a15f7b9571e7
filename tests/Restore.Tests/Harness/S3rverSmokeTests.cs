using Amazon.S3;
using Amazon.S3.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Harness;

/// <summary>Proves s3rver stores, lists and serves ranges byte-exact with the settings TESTING.md gives.</summary>
public sealed class S3rverSmokeTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task Put_list_and_ranged_get_round_trip()
    {
        var bucket = await s3.CreateBucketAsync();
        using var client = s3.CreateClient();
        var payload = Enumerable.Range(0, 5000).Select(i => (byte)(i % 251)).ToArray();
        for (var i = 0; i < 3; i++)
        {
            await client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = $"backup-1/topics/t/partition=0/segment-{i:D20}.bin",
                InputStream = new MemoryStream(payload),
                UseChunkEncoding = false,
            });
        }
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "other/x", ContentBody = "x", UseChunkEncoding = false });

        var listed = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "backup-1/", MaxKeys = 2 });
        var keys = (listed.S3Objects ?? []).Select(o => o.Key).ToList();
        Assert.Equal(2, keys.Count);
        Assert.True(listed.IsTruncated);
        var next = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "backup-1/", ContinuationToken = listed.NextContinuationToken });
        keys.AddRange((next.S3Objects ?? []).Select(o => o.Key));
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.StartsWith("backup-1/topics/t/partition=0/segment-", k, StringComparison.Ordinal));

        using var ranged = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = keys[1], ByteRange = new ByteRange(100, 199) });
        using var ms = new MemoryStream();
        await ranged.ResponseStream.CopyToAsync(ms);
        Assert.Equal(payload[100..200], ms.ToArray());
    }

    [Fact]
    public async Task A_missing_key_is_a_404()
    {
        var bucket = await s3.CreateBucketAsync();
        using var client = s3.CreateClient();
        var ex = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync(bucket, "nope/manifest.json"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("NoSuchKey", ex.ErrorCode);
    }
}
