using System.Buffers.Binary;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// Decodes records one at a time from a (decompressed) segment body stream with a small buffer.
/// Problems are reported as <see cref="SegmentProblem"/> with the body offset where they occur.
/// </summary>
internal sealed class RecordBodyReader
{
    private readonly Stream _body;
    private readonly int _maxRecord;
    private readonly bool _keepBytes;
    private byte[] _scratch = [];
    private readonly byte[] _buffer = new byte[1 << 17];
    private readonly HeaderKeyCache _keys = new();
    private ChunkHeader[] _headers = new ChunkHeader[16];
    private int _pos;
    private int _len;
    private long _consumedBefore;
    private bool _eof;

    /// <summary>
    /// Reads from <paramref name="body"/>; a record longer than <paramref name="maxRecord"/> bytes fails
    /// before its bytes are read. Without <paramref name="keepBytes"/> records are checked but their
    /// keys, values and header values come back empty, and large records reuse one buffer (verifying
    /// allocates nothing per record).
    /// </summary>
    public RecordBodyReader(Stream body, int maxRecord = SegmentFormat.MaxRecordSize, bool keepBytes = true)
    {
        _body = body;
        _maxRecord = maxRecord;
        _keepBytes = keepBytes;
    }

    /// <summary>Offset in the body of the next unread byte.</summary>
    public long Position => _consumedBefore + _pos;

    /// <summary>Reads the next record; null at a clean end of the body.</summary>
    public async ValueTask<BackupRecord?> ReadAsync(CancellationToken ct)
    {
        var start = Position;
        var size = await ReadLengthAsync(null, ct);
        if (size == 0) return null;
        var bytes = size <= _buffer.Length ? _buffer.AsMemory(_pos, size) : (await ReadLargeAsync(size, start, _keepBytes, ct)).AsMemory(0, size);
        var record = ToRecord(bytes.Span, Parse(bytes.Span, start + 4, _keys, ref _headers), _headers, _keepBytes);
        if (size <= _buffer.Length) _pos += size;
        return record;
    }

    /// <summary>
    /// Reads the next record into <paramref name="chunk"/>: its bytes are copied once into the chunk's arena, with
    /// no object per record. <see cref="ChunkRead.Full"/> when the record does not fit in a chunk that already holds
    /// records (nothing is consumed: read again into the next chunk); <see cref="ChunkRead.End"/> at a clean end.
    /// </summary>
    public async ValueTask<ChunkRead> ReadIntoAsync(RecordChunk chunk, CancellationToken ct)
    {
        var start = Position;
        var size = await ReadLengthAsync(chunk, ct);
        if (size == 0) return ChunkRead.End;
        if (size < 0) return ChunkRead.Full;
        // A large record is copied into the chunk from the reader's own scratch array, which the next one reuses.
        var bytes = size <= _buffer.Length ? _buffer.AsMemory(_pos, size) : (await ReadLargeAsync(size, start, keep: false, ct)).AsMemory(0, size);
        var layout = Parse(bytes.Span, start + 4, _keys, ref _headers);
        chunk.Append(bytes.Span, layout, _headers.AsSpan(0, layout.HeaderCount));
        if (size <= _buffer.Length) _pos += size;
        return ChunkRead.Added;
    }

    // Reads and checks a record's length prefix and makes a record that fits the buffer available in it. Returns the
    // record's size, 0 at a clean end, or −1 (nothing consumed) when the record does not fit in the given chunk.
    private async ValueTask<int> ReadLengthAsync(RecordChunk? chunk, CancellationToken ct)
    {
        var start = Position;
        if (!await EnsureAsync(4, ct))
        {
            if (_len - _pos == 0) return 0;
            throw new SegmentProblem(start, $"body ends inside a record length prefix ({_len - _pos} of 4 bytes)");
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_pos));
        CheckLength(length, start);
        var size = (int)length;
        if (chunk is not null && !chunk.Fits(size)) return -1;
        _pos += 4;
        if (size <= _buffer.Length && !await EnsureAsync(size, ct))
            throw new SegmentProblem(start, $"record truncated: length says {size} bytes, only {_len - _pos} remain");
        return size;
    }

    private void CheckLength(uint length, long start)
    {
        if (length > SegmentFormat.MaxRecordSize)
            throw new SegmentProblem(start, $"record length {length} overflows the {SegmentFormat.MaxRecordSize}-byte maximum");
        if (length > _maxRecord)
            throw new RecordOverLimit(start, length, _maxRecord);
        if (length < SegmentFormat.RecordFixedSize)
            throw new SegmentProblem(start, $"record length {length} is below the {SegmentFormat.RecordFixedSize}-byte minimum");
    }

    /// <summary>
    /// <see cref="ReadIntoAsync"/> without waiting: false (nothing consumed) when the buffer does not hold the whole next
    /// record, so the caller reads asynchronously only once per buffer refill instead of once per record.
    /// </summary>
    public bool TryReadBuffered(RecordChunk chunk, out ChunkRead read)
    {
        read = ChunkRead.Added;
        if (_len - _pos < 4) return false;
        var start = Position;
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_pos));
        CheckLength(length, start);
        var size = (int)length;
        if (!chunk.Fits(size))
        {
            read = ChunkRead.Full;
            return true;
        }
        if (_len - _pos - 4 < size) return false;
        var bytes = _buffer.AsSpan(_pos + 4, size);
        var layout = Parse(bytes, start + 4, _keys, ref _headers);
        chunk.Append(bytes, layout, _headers.AsSpan(0, layout.HeaderCount));
        _pos += 4 + size;
        return true;
    }

    // Reads a record larger than the buffer, growing the array only as data actually arrives.
    // With keep, the array is the caller's; without, it is the reader's scratch array, reused by the next large record.
    private async ValueTask<byte[]> ReadLargeAsync(int size, long start, bool keep, CancellationToken ct)
    {
        var data = keep || _scratch.Length == 0 ? new byte[Math.Min(size, 4 << 20)] : _scratch;
        var filled = 0;
        while (filled < size)
        {
            if (_pos == _len && !await EnsureAsync(1, ct))
                throw new SegmentProblem(start, $"record truncated: length says {size} bytes, only {filled} remain");
            if (filled == data.Length) Array.Resize(ref data, (int)Math.Min(size, (long)data.Length * 2));
            var n = Math.Min(_len - _pos, Math.Min(data.Length, size) - filled);
            _buffer.AsSpan(_pos, n).CopyTo(data.AsSpan(filled));
            _pos += n;
            filled += n;
        }
        if (!keep) _scratch = data;
        return data;
    }

    // A record of the public API: arrays of its own (empty ones when only checking).
    private static BackupRecord ToRecord(ReadOnlySpan<byte> r, in ChunkRecord layout, ChunkHeader[] headers, bool keepBytes)
    {
        var stored = layout.HeaderCount == 0 ? [] : new BackupHeader[layout.HeaderCount];
        for (var i = 0; i < stored.Length; i++)
            stored[i] = new BackupHeader(headers[i].Key, Bytes(r, headers[i].ValueAt, headers[i].ValueLength, keepBytes));
        return new BackupRecord
        {
            Offset = layout.Offset,
            Timestamp = layout.Timestamp,
            Key = Bytes(r, layout.KeyAt, layout.KeyLength, keepBytes),
            Value = Bytes(r, layout.ValueAt, layout.ValueLength, keepBytes),
            Headers = stored,
        };
    }

    private static byte[]? Bytes(ReadOnlySpan<byte> r, int at, int length, bool keepBytes) =>
        length < 0 ? null : keepBytes ? r.Slice(at, length).ToArray() : [];

    // Checks one record (after its length prefix) and returns where its fields are in r; its headers go to the
    // first HeaderCount entries of headers (grown as needed), their positions in r too.
    private static ChunkRecord Parse(ReadOnlySpan<byte> r, long at, HeaderKeyCache keys, ref ChunkHeader[] headers)
    {
        var p = 16;
        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(r);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(r[8..]);
        var (keyAt, keyLength) = ReadBytes(r, ref p, at, "key");
        var (valueAt, valueLength) = ReadBytes(r, ref p, at, "value");
        var size = Math.Max(0, keyLength) + Math.Max(0, valueLength);
        if (r.Length - p < 2) throw new SegmentProblem(at + p, "record too short for its header count");
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(r[p..]);
        p += 2;
        if (headers.Length < headerCount) headers = new ChunkHeader[Math.Max(headerCount, headers.Length * 2)];
        for (var i = 0; i < headerCount; i++)
        {
            if (r.Length - p < 2) throw new SegmentProblem(at + p, $"record ends inside header {i} of {headerCount}");
            int keyBytes = BinaryPrimitives.ReadUInt16LittleEndian(r[p..]);
            p += 2;
            if (keyBytes > r.Length - p)
                throw new SegmentProblem(at + p - 2, $"header {i} key length {keyBytes} overflows the record ({r.Length - p} bytes left)");
            var headerKey = keys.Get(r.Slice(p, keyBytes)) ?? throw new SegmentProblem(at + p, $"header {i} key is not valid UTF-8");
            p += keyBytes;
            if (r.Length - p < 4) throw new SegmentProblem(at + p, $"record ends inside header {i} value length");
            var (headerAt, headerLength) = ReadBytes(r, ref p, at, $"header {i} value");
            headers[i] = new ChunkHeader(headerKey, headerAt, headerLength);
            size += keyBytes + Math.Max(0, headerLength);
        }
        if (p != r.Length)
            throw new SegmentProblem(at + p, $"record at offset {offset} has {r.Length - p} bytes beyond its last header");
        return new ChunkRecord
        {
            Offset = offset,
            Timestamp = timestamp,
            KeyAt = keyAt,
            KeyLength = keyLength,
            ValueAt = valueAt,
            ValueLength = valueLength,
            HeaderCount = headerCount,
            Size = size,
        };
    }

    // Reads an i32 length (−1 = null) and skips the bytes; returns where they are in r and the length.
    private static (int At, int Length) ReadBytes(ReadOnlySpan<byte> r, ref int p, long at, string what)
    {
        if (r.Length - p < 4) throw new SegmentProblem(at + p, $"record ends inside the {what} length");
        var length = BinaryPrimitives.ReadInt32LittleEndian(r[p..]);
        if (length == -1)
        {
            p += 4;
            return (0, -1);
        }
        if (length < -1) throw new SegmentProblem(at + p, $"{what} length {length} is negative (only -1, meaning null, is allowed)");
        if (length > r.Length - p - 4)
            throw new SegmentProblem(at + p, $"{what} length {length} overflows the record ({r.Length - p - 4} bytes left)");
        p += 4;
        var start = p;
        p += length;
        return (start, length);
    }

    // Makes at least n bytes available in the buffer; false if the body ends first.
    private async ValueTask<bool> EnsureAsync(int n, CancellationToken ct)
    {
        if (_len - _pos >= n) return true;
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _len - _pos);
            _consumedBefore += _pos;
            _len -= _pos;
            _pos = 0;
        }
        while (_len < n && !_eof)
        {
            var read = await _body.ReadAsync(_buffer.AsMemory(_len), ct);
            if (read == 0) _eof = true;
            _len += read;
        }
        return _len >= n;
    }
}

/// <summary>What <see cref="RecordBodyReader.ReadIntoAsync"/> did.</summary>
internal enum ChunkRead
{
    /// <summary>One record was added to the chunk.</summary>
    Added,

    /// <summary>The next record does not fit in the chunk; nothing was read.</summary>
    Full,

    /// <summary>The body ended cleanly.</summary>
    End,
}
