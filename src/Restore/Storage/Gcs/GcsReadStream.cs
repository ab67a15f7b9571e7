using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage.Gcs;

/// <summary>
/// The body of one object generation: on a dropped connection it asks for the rest of that same
/// generation (ranged GET) under the retry policy, so a replaced object is never spliced in.
/// </summary>
internal sealed class GcsReadStream(GcsBackupStorage storage, string key, long generation, long length, Stream body) : ReadOnlyForwardStream
{
    private Stream _body = body;
    private long _position;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var n = await _body.ReadAsync(buffer, cancellationToken);
                if (n == 0 && buffer.Length > 0 && _position < length)
                    throw new IOException($"the body ended at byte {_position} of {length}");
                _position += n;
                return n;
            }
            catch (Exception e) when (GcsBackupStorage.IsTransient(e, cancellationToken) && attempt < storage.Retry.MaxAttempts)
            {
                await Task.Delay(storage.Retry.DelayBefore(attempt + 1), storage.Retry.TimeProvider, cancellationToken);
                var next = await storage.OpenBodyAsync(key, generation, _position, cancellationToken);
                await _body.DisposeAsync();
                _body = next;
            }
            catch (Exception e) when (GcsBackupStorage.IsTransient(e, cancellationToken))
            {
                throw new KafkaRestoredException(FailureReason.StorageUnavailable,
                    $"reading {storage.Describe(key)} failed at byte {_position} after {attempt} attempt(s): {e.Message}; check that the endpoint is reachable, then retry.", e);
            }
        }
    }

    public override int Read(Span<byte> buffer) => ReadByWaitingForAsync(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _body.Dispose();
        base.Dispose(disposing);
    }

    public override long Length => length;

    protected override long BytesDelivered => _position;
}
