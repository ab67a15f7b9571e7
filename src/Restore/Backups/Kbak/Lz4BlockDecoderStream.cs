using KafkaRestored.Restore.Storage;
namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// Decodes one raw LZ4 block (the block format, not the frame format) as a stream, keeping only
/// the 64 KiB history a block may refer back to, so memory stays bounded whatever the block size.
/// A resumable state machine: input arrives in chunks and output is handed out as asked.
/// Invalid input throws <see cref="InvalidDataException"/>.
/// </summary>
internal sealed class Lz4BlockDecoderStream : ReadOnlyForwardStream
{
    private const int WindowSize = 1 << 16;
    private const int WindowMask = WindowSize - 1;

    private enum State { Token, LiteralLength, Literals, OffsetLow, OffsetHigh, MatchLength, Match }

    private readonly Stream _source;
    private readonly long _expectedLength;
    private readonly byte[] _window = new byte[WindowSize];
    private readonly byte[] _input = new byte[1 << 16];
    private int _inputStart;
    private int _inputEnd;
    private bool _sourceDone;
    private bool _anyInput;

    private State _state = State.Token;
    private int _token;
    private long _literalLength;
    private int _matchOffset;
    private long _matchLength;
    private long _produced;

    /// <summary>Decodes the block read from <paramref name="source"/> (to its end), which must expand to exactly <paramref name="expectedLength"/> bytes.</summary>
    public Lz4BlockDecoderStream(Stream source, long expectedLength)
    {
        _source = source;
        _expectedLength = expectedLength;
    }

    /// <summary>Bytes produced so far.</summary>
    public long Produced => _produced;

    public override int Read(Span<byte> destination)
    {
        if (destination.IsEmpty) return 0;
        while (true)
        {
            var n = Decode(destination);
            if (n > 0) return n;
            if (_inputStart < _inputEnd) continue;
            if (_sourceDone) return Finish();
            _inputStart = 0;
            _inputEnd = _source.Read(_input, 0, _input.Length);
            if (_inputEnd == 0) _sourceDone = true;
            else _anyInput = true;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty) return 0;
        while (true)
        {
            var n = Decode(destination.Span);
            if (n > 0) return n;
            if (_inputStart < _inputEnd) continue;
            if (_sourceDone) return Finish();
            _inputStart = 0;
            _inputEnd = await _source.ReadAsync(_input.AsMemory(), cancellationToken);
            if (_inputEnd == 0) _sourceDone = true;
            else _anyInput = true;
        }
    }

    private int Finish()
    {
        var cleanEnd = _state == State.OffsetLow || (_state == State.Token && !_anyInput);
        if (!cleanEnd)
            throw new InvalidDataException($"LZ4 block ends in the middle of a sequence after {_produced} decoded bytes");
        if (_produced != _expectedLength)
            throw new InvalidDataException($"LZ4 block decodes to {_produced} bytes but its length prefix says {_expectedLength}");
        return 0;
    }

    // Runs the state machine over the buffered input; returns bytes written to output (0 when more input is needed).
    private int Decode(Span<byte> output)
    {
        var written = 0;
        while (written < output.Length)
        {
            switch (_state)
            {
                case State.Token:
                    if (!TryTake(out var token)) return written;
                    _token = token;
                    _literalLength = token >> 4;
                    _state = _literalLength == 15 ? State.LiteralLength : State.Literals;
                    break;
                case State.LiteralLength:
                    if (!TryTake(out var extra)) return written;
                    _literalLength += extra;
                    if (extra != 255) _state = State.Literals;
                    break;
                case State.Literals:
                    if (_literalLength == 0) { _state = State.OffsetLow; break; }
                    var available = _inputEnd - _inputStart;
                    if (available == 0) return written;
                    var n = (int)Math.Min(Math.Min(_literalLength, available), output.Length - written);
                    Emit(_input.AsSpan(_inputStart, n), output.Slice(written, n));
                    _inputStart += n;
                    written += n;
                    _literalLength -= n;
                    break;
                case State.OffsetLow:
                    if (!TryTake(out var low)) return written;
                    _matchOffset = low;
                    _state = State.OffsetHigh;
                    break;
                case State.OffsetHigh:
                    if (!TryTake(out var high)) return written;
                    _matchOffset |= high << 8;
                    if (_matchOffset == 0 || _matchOffset > _produced)
                        throw new InvalidDataException($"LZ4 match offset {_matchOffset} points before the start of the block at decoded byte {_produced}");
                    _matchLength = (_token & 15) + 4;
                    _state = (_token & 15) == 15 ? State.MatchLength : State.Match;
                    break;
                case State.MatchLength:
                    if (!TryTake(out var more)) return written;
                    _matchLength += more;
                    if (more != 255) _state = State.Match;
                    break;
                case State.Match:
                    var count = (int)Math.Min(_matchLength, output.Length - written);
                    CheckLength(count);
                    var dest = output.Slice(written, count);
                    // The first `offset` bytes come from history; the rest repeats them with period `offset`.
                    var done = 0;
                    var fromHistory = Math.Min(count, _matchOffset);
                    while (done < fromHistory)
                    {
                        var from = (int)((_produced + done - _matchOffset) & WindowMask);
                        var length = Math.Min(fromHistory - done, WindowSize - from);
                        _window.AsSpan(from, length).CopyTo(dest.Slice(done, length));
                        done += length;
                    }
                    while (done < count)
                    {
                        var period = done / _matchOffset * _matchOffset;
                        var length = Math.Min(count - done, period);
                        dest.Slice(done - period, length).CopyTo(dest.Slice(done, length));
                        done += length;
                    }
                    Remember(dest);
                    written += count;
                    _matchLength -= count;
                    if (_matchLength == 0) _state = State.Token;
                    break;
            }
        }
        return written;
    }

    private bool TryTake(out int value)
    {
        if (_inputStart == _inputEnd) { value = 0; return false; }
        value = _input[_inputStart++];
        return true;
    }

    private void Emit(ReadOnlySpan<byte> bytes, Span<byte> output)
    {
        CheckLength(bytes.Length);
        bytes.CopyTo(output);
        Remember(bytes);
    }

    // Appends produced bytes to the history window; only the last 64 KiB can be referred to.
    private void Remember(ReadOnlySpan<byte> bytes)
    {
        var total = bytes.Length;
        if (bytes.Length > WindowSize) bytes = bytes[^WindowSize..];
        var at = (int)((_produced + total - bytes.Length) & WindowMask);
        var first = Math.Min(bytes.Length, WindowSize - at);
        bytes[..first].CopyTo(_window.AsSpan(at));
        bytes[first..].CopyTo(_window);
        _produced += total;
    }

    private void CheckLength(int more)
    {
        if (_produced + more > _expectedLength)
            throw new InvalidDataException($"LZ4 block decodes to more than the {_expectedLength} bytes its length prefix says");
    }

    protected override long BytesDelivered => _produced;
}
