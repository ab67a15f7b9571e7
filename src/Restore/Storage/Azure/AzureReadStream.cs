using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage.Azure;

/// <summary>
/// The body of a blob download. The SDK's stream already resumes a dropped connection with a
/// ranged GET on the same ETag; this one turns what is left after its retries into
/// StorageUnavailable, and a body shorter than announced into an error instead of a short read.
/// </summary>
internal sealed class AzureReadStream(AzureBlobBackupStorage storage, string key, Stream body, long length) : ReadOnlyForwardStream
{
    private long _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await body.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && storage.Failure("read", key, e) is { } failure)
        {
            throw failure;
        }
        if (n == 0 && buffer.Length > 0 && _position < length)
            throw new KafkaRestoredException(FailureReason.StorageUnavailable,
                $"reading {storage.Describe(key)} ended at byte {_position} of {length}; check that the endpoint is reachable, then retry.");
        _position += n;
        return n;
    }

    public override int Read(Span<byte> buffer) => ReadByWaitingForAsync(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing) body.Dispose();
        base.Dispose(disposing);
    }

    public override long Length => length;

    protected override long BytesDelivered => _position;
}
