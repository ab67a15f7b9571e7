using System.Buffers;
using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage.S3;

/// <summary>
/// Reads a large object as parts (4 MiB by default) fetched by ranged GETs (same ETag) up to
/// <see cref="PartsAhead"/> ahead of the reader, so the decoder never waits on one connection's
/// round trips while the store can serve several. The first part comes from the plain GET that
/// opened the object; each part's body survives a dropped connection as <see cref="S3ReadStream"/> does.
/// Part buffers come from the shared array pool (new 1 MiB arrays would be large-object garbage).
/// </summary>
internal sealed class S3PartsReadStream : ReadOnlyForwardStream
{
    /// <summary>Bytes per ranged GET unless the storage says otherwise.</summary>
    public const int DefaultPartBytes = 4 << 20;

    /// <summary>Parts fetched ahead of the one being read (the memory: this many parts plus the current one).</summary>
    public const int PartsAhead = 2;

    private readonly S3BackupStorage _storage;
    private readonly string _key;
    private readonly string? _etag;
    private readonly long _length;
    private readonly int _partBytes;
    private readonly CancellationTokenSource _stop;
    private readonly Queue<Task<Part>> _parts = new();
    private long _requested;
    private Part _current = new([], 0);
    private int _pos;
    private long _position;

    /// <summary>Takes over <paramref name="first"/> (the object's plain GET, read for its first part only).</summary>
    public S3PartsReadStream(S3BackupStorage storage, string key, S3ReadStream first, int partBytes, long length, CancellationToken opened)
    {
        _storage = storage;
        _key = key;
        _etag = first.ETag;
        _length = length;
        _partBytes = partBytes;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(opened);
        _requested = Math.Min(partBytes, length);
        _parts.Enqueue(FirstPartAsync(first, (int)_requested, _stop.Token));
        RequestAhead();
    }

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    protected override long BytesDelivered => _position;

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_pos == _current.Length)
        {
            if (!_parts.TryDequeue(out var next)) return 0;
            var part = await next.WaitAsync(cancellationToken);
            _current.Release();
            _current = part;
            _pos = 0;
            RequestAhead();
        }
        var n = Math.Min(buffer.Length, _current.Length - _pos);
        _current.Data.AsSpan(_pos, n).CopyTo(buffer.Span);
        _pos += n;
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => ReadByWaitingForAsync(buffer);

    private void RequestAhead()
    {
        while (_parts.Count < PartsAhead && _requested < _length)
        {
            var count = (int)Math.Min(_partBytes, _length - _requested);
            _parts.Enqueue(PartAsync(_requested, count, _stop.Token));
            _requested += count;
        }
    }

    private async Task<Part> FirstPartAsync(S3ReadStream first, int count, CancellationToken ct)
    {
        // Only the first part is read from it; disposing the rest of its body closes that connection.
        using (first) return await FillAsync(first, 0, count, ct);
    }

    private async Task<Part> PartAsync(long start, int count, CancellationToken ct)
    {
        var response = await _storage.GetRangeAsync(_key, start, count, _etag, ct);
        using var body = new S3ReadStream(_storage, _key, response, start);
        return await FillAsync(body, start, count, ct);
    }

    private async Task<Part> FillAsync(Stream body, long start, int count, CancellationToken ct)
    {
        var data = ArrayPool<byte>.Shared.Rent(count);
        var filled = 0;
        try
        {
            while (filled < count)
            {
                var n = await body.ReadAsync(data.AsMemory(filled, count - filled), ct);
                if (n == 0)
                {
                    throw new KafkaRestoredException(FailureReason.StorageUnavailable,
                        $"reading {_storage.Describe(_key)} ended at byte {start + filled} of {_length}; the object changed or the store cut it short; retry.");
                }
                filled += n;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(data);
            throw;
        }
        return new Part(data, count);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            // Parts still in flight end on the cancellation; nobody waits for them, and what they filled goes back to the pool.
            foreach (var part in _parts)
            {
                _ = part.ContinueWith(static t =>
                {
                    if (t.IsCompletedSuccessfully) t.Result.Release();
                    _ = t.Exception;
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            _parts.Clear();
            _current.Release();
            _current = new([], 0);
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>A part's bytes: the first <see cref="Length"/> of a pooled array.</summary>
    private readonly record struct Part(byte[] Data, int Length)
    {
        public void Release()
        {
            if (Data.Length > 0) ArrayPool<byte>.Shared.Return(Data);
        }
    }
}
