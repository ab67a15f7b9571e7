using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Storage.S3;

/// <summary>
/// Reads a large object as parts (1 MiB by default) fetched by ranged GETs (same ETag) up to
/// <see cref="PartsAhead"/> ahead of the reader, so the decoder never waits on one connection's
/// round trips while the store can serve several. The first part comes from the plain GET that
/// opened the object; each part's body survives a dropped connection as <see cref="S3ReadStream"/> does.
/// </summary>
internal sealed class S3PartsReadStream : ReadOnlyForwardStream
{
    /// <summary>Bytes per ranged GET unless the storage says otherwise.</summary>
    public const int DefaultPartBytes = 1 << 20;

    /// <summary>Parts fetched ahead of the one being read (the memory: this many parts plus the current one).</summary>
    public const int PartsAhead = 4;

    private readonly S3BackupStorage _storage;
    private readonly string _key;
    private readonly string? _etag;
    private readonly long _length;
    private readonly int _partBytes;
    private readonly CancellationTokenSource _stop;
    private readonly Queue<Task<byte[]>> _parts = new();
    private long _requested;
    private byte[] _current = [];
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
            _current = await next.WaitAsync(cancellationToken);
            _pos = 0;
            RequestAhead();
        }
        var n = Math.Min(buffer.Length, _current.Length - _pos);
        _current.AsSpan(_pos, n).CopyTo(buffer.Span);
        _pos += n;
        _position += n;
        return n;
    }

    /// <inheritdoc />
    public override int Read(Span<byte> buffer) => ReadByWaitingForAsync(buffer);

    private void RequestAhead()
    {
        while (_parts.Count <= PartsAhead && _requested < _length)
        {
            var count = (int)Math.Min(_partBytes, _length - _requested);
            _parts.Enqueue(PartAsync(_requested, count, _stop.Token));
            _requested += count;
        }
    }

    private async Task<byte[]> FirstPartAsync(S3ReadStream first, int count, CancellationToken ct)
    {
        // Only the first part is read from it; disposing the rest of its body closes that connection.
        using (first) return await FillAsync(first, 0, count, ct);
    }

    private async Task<byte[]> PartAsync(long start, int count, CancellationToken ct)
    {
        var response = await _storage.GetRangeAsync(_key, start, count, _etag, ct);
        using var body = new S3ReadStream(_storage, _key, response, start);
        return await FillAsync(body, start, count, ct);
    }

    private async Task<byte[]> FillAsync(Stream body, long start, int count, CancellationToken ct)
    {
        var data = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            var n = await body.ReadAsync(data.AsMemory(filled), ct);
            if (n == 0)
            {
                throw new KafkaRestoredException(FailureReason.StorageUnavailable,
                    $"reading {_storage.Describe(_key)} ended at byte {start + filled} of {_length}; the object changed or the store cut it short; retry.");
            }
            filled += n;
        }
        return data;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stop.Cancel();
            // Parts still in flight end on the cancellation; nobody waits for them.
            foreach (var part in _parts) _ = part.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _parts.Clear();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }
}
