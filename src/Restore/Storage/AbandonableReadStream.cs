using System.Buffers;

namespace KafkaRestored.Restore.Storage;

/// <summary>
/// A file opened for reading whose reads a cancellation can walk away from (see
/// <see cref="AbandonableFileCalls"/>): each read fills a private buffer on a pool thread, so a read
/// still blocked in the kernel after its caller gave up writes into memory nobody else uses. A stream
/// that abandoned a read refuses further reads.
/// </summary>
/// <remarks>
/// Reads are 1 MiB, and the next one starts on the pool thread as soon as a buffer is handed out, so
/// the reader decodes one buffer while the kernel fills the other: one pool-thread hop per MiB, not
/// per 64 KiB, and none waited for while the file keeps up. The buffers come from the shared array
/// pool (1 MiB arrays new per segment would be large-object garbage, collected only by gen-2 GCs)
/// and go back on disposal, except one a read may still write into.
/// </remarks>
internal sealed class AbandonableReadStream : ReadOnlyForwardStream
{
    private const int BufferSize = 1 << 20;

    private readonly FileStream _file;
    private readonly CancellationToken _opened;
    private byte[] _buffer = [];
    private byte[] _spare = ArrayPool<byte>.Shared.Rent(BufferSize);
    private Task<int>? _ahead;
    private int _start;
    private int _end;
    private long _delivered;
    private bool _abandoned;
    private bool _eof;
    private bool _disposed;

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
        if (_eof) return;
        int n;
        try
        {
            ct.ThrowIfCancellationRequested();
            _opened.ThrowIfCancellationRequested();
            var ahead = _ahead ?? ReadAhead();
            _ahead = null;
            n = ahead.IsCompleted ? await ahead : await WaitAsync(ahead, ct);
        }
        catch (OperationCanceledException)
        {
            // The late read may still write into its buffer: both buffers are given up with the stream.
            _abandoned = true;
            _buffer = [];
            _spare = [];
            throw;
        }
        // The buffer just filled is handed out; the one handed out before is free for the next read.
        (_buffer, _spare) = (_spare, _buffer.Length == 0 ? ArrayPool<byte>.Shared.Rent(BufferSize) : _buffer);
        _start = 0;
        _end = n;
        _eof = n == 0;
        if (!_eof) _ahead = ReadAhead();
    }

    private async Task<int> WaitAsync(Task<int> read, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _opened);
        return await AbandonableFileCalls.WaitAsync(read, linked.Token);
    }

    private Task<int> ReadAhead()
    {
        var target = _spare;
        return Task.Run(() => _file.Read(target, 0, target.Length), CancellationToken.None);
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
        if (disposing && !_disposed)
        {
            _disposed = true;
            var reading = _ahead is { IsCompleted: false };
            if (_ahead is { } ahead) AbandonableFileCalls.Observe(ahead);
            _file.Dispose();
            // An abandoned stream holds no buffers; a read still under way keeps the spare one.
            if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
            if (_spare.Length > 0 && !reading) ArrayPool<byte>.Shared.Return(_spare);
            _buffer = [];
            _spare = [];
        }
        base.Dispose(disposing);
    }
}
