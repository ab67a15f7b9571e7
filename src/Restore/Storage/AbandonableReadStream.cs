namespace KafkaRestored.Restore.Storage;

/// <summary>
/// A file opened for reading whose reads a cancellation can walk away from (see
/// <see cref="AbandonableFileCalls"/>): each read fills a private buffer on a pool thread, so a read
/// still blocked in the kernel after its caller gave up writes into memory nobody else uses. A stream
/// that abandoned a read refuses further reads.
/// </summary>
internal sealed class AbandonableReadStream : ReadOnlyForwardStream
{
    private const int BufferSize = 1 << 16;

    private readonly FileStream _file;
    private readonly CancellationToken _opened;
    private byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private long _delivered;
    private bool _abandoned;

    /// <summary>Wraps <paramref name="file"/> (unbuffered); <paramref name="ct"/>, the token it was opened with, also ends every read.</summary>
    public AbandonableReadStream(FileStream file, CancellationToken ct)
    {
        _file = file;
        _opened = ct;
    }

    /// <inheritdoc />
    protected override long BytesDelivered => _delivered;

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        if (_start == _end) Fill(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return Deliver(buffer);
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start == _end) await Fill(cancellationToken);
        return Deliver(buffer.Span);
    }

    private async ValueTask Fill(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_abandoned, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _opened);
        var target = _buffer;
        try
        {
            _end = await AbandonableFileCalls.RunAsync(() => _file.Read(target, 0, target.Length), linked.Token);
            _start = 0;
        }
        catch (OperationCanceledException)
        {
            // The late read may still write into the old buffer: it is given up with the stream.
            _abandoned = true;
            _buffer = [];
            throw;
        }
    }

    private int Deliver(Span<byte> destination)
    {
        var n = Math.Min(destination.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        _delivered += n;
        return n;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Closing waits for no read: the handle is released once a read still in the kernel returns.
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
