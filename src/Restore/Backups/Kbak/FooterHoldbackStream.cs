using System.IO.Hashing;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// Reads a segment object once, front to back: delivers every byte except the last eight (the
/// footer), which it keeps back, and keeps a running CRC-32 of what it delivered. This is how the
/// reader checks the footer without knowing the object's length and without buffering the object.
/// </summary>
internal sealed class FooterHoldbackStream : ReadOnlyForwardStream
{
    private readonly Stream _source;
    private readonly byte[] _buffer = new byte[(1 << 16) + SegmentFormat.FooterSize];
    private readonly Crc32 _crc = new();
    private int _start;
    private int _end;
    private bool _sourceDone;

    public FooterHoldbackStream(Stream source) => _source = source;

    /// <summary>Bytes delivered so far, i.e. the object offset of the next byte.</summary>
    public long Delivered { get; private set; }

    /// <summary>The kept-back bytes at the end (fewer than eight if the object was too short).</summary>
    public ReadOnlySpan<byte> Footer => _buffer.AsSpan(_start, _end - _start);

    /// <summary>CRC-32 of every delivered byte.</summary>
    public uint Crc => _crc.GetCurrentHashAsUInt32();

    public override int Read(Span<byte> destination)
    {
        while (Available == 0 && !_sourceDone)
        {
            Compact();
            var n = _source.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0) _sourceDone = true;
            _end += n;
        }
        return Deliver(destination);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (Available == 0 && !_sourceDone)
        {
            Compact();
            var n = await _source.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0) _sourceDone = true;
            _end += n;
        }
        return Deliver(destination.Span);
    }

    /// <summary>Reads the source to its end (for callers that stop before the body is exhausted).</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var scratch = new byte[1 << 16];
        while (await ReadAsync(scratch, ct) > 0) { }
    }

    private int Available => Math.Max(0, _end - _start - SegmentFormat.FooterSize);

    private void Compact()
    {
        if (_start == 0) return;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
        _end -= _start;
        _start = 0;
    }

    private int Deliver(Span<byte> destination)
    {
        var n = Math.Min(Available, destination.Length);
        if (n == 0) return 0;
        var chunk = _buffer.AsSpan(_start, n);
        chunk.CopyTo(destination);
        _crc.Append(chunk);
        _start += n;
        Delivered += n;
        return n;
    }

    protected override long BytesDelivered => Delivered;
}
