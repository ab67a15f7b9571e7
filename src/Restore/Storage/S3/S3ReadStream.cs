using Amazon.S3.Model;
using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage.S3;

/// <summary>
/// The body of a GET that survives a dropped connection: on a transport error it re-opens the
/// object at the current position (ranged GET, same ETag) under the retry policy. For the body of a
/// ranged GET, <c>rangeStart</c> is where the range began in the object.
/// </summary>
internal sealed class S3ReadStream : ReadOnlyForwardStream
{
    private readonly S3BackupStorage _storage;
    private readonly string _key;
    private readonly string? _etag;
    private readonly long _length;
    private readonly long _rangeStart;
    private GetObjectResponse _response;
    private long _position;

    public S3ReadStream(S3BackupStorage storage, string key, GetObjectResponse response, long rangeStart = 0)
    {
        _rangeStart = rangeStart;
        _storage = storage;
        _key = key;
        _response = response;
        _etag = response.ETag;
        _length = response.ContentLength;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var n = await _response.ResponseStream.ReadAsync(buffer, cancellationToken);
                if (n == 0 && _position < _length)
                    throw new IOException($"connection closed after {_position} of {_length} bytes");
                _position += n;
                return n;
            }
            catch (IOException) when (attempt < _storage.Retry.MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(_storage.Retry.DelayBefore(attempt + 1), _storage.Retry.TimeProvider, cancellationToken);
                var next = await _storage.ResumeAsync(_key, _rangeStart + _position, _etag, cancellationToken);
                _response.Dispose();
                _response = next;
            }
            catch (IOException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new KafkaRestoredException(FailureReason.StorageUnavailable,
                    $"reading {_storage.Describe(_key)} failed at byte {_position} after {attempt} attempt(s): {e.Message}; check that the endpoint is reachable, then retry.", e);
            }
        }
    }

    public override int Read(Span<byte> buffer) => ReadByWaitingForAsync(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _response.Dispose();
        base.Dispose(disposing);
    }

    public override long Length => _length;

    /// <summary>The ETag the object was opened with (later parts insist on it).</summary>
    public string? ETag => _etag;
    protected override long BytesDelivered => _position;
}
