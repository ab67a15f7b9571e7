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
        if (!await EnsureAsync(4, ct))
        {
            if (_len - _pos == 0) return null;
            throw new SegmentProblem(start, $"body ends inside a record length prefix ({_len - _pos} of 4 bytes)");
        }
        var length = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_pos));
        if (length > SegmentFormat.MaxRecordSize)
            throw new SegmentProblem(start, $"record length {length} overflows the {SegmentFormat.MaxRecordSize}-byte maximum");
        if (length > _maxRecord)
            throw new RecordOverLimit(start, length, _maxRecord);
        if (length < SegmentFormat.RecordFixedSize)
            throw new SegmentProblem(start, $"record length {length} is below the {SegmentFormat.RecordFixedSize}-byte minimum");
        var size = (int)length;
        _pos += 4;
        if (size <= _buffer.Length)
        {
            if (!await EnsureAsync(size, ct))
                throw new SegmentProblem(start, $"record truncated: length says {size} bytes, only {_len - _pos} remain");
            var record = Parse(_buffer.AsSpan(_pos, size), start + 4, _keepBytes, _keys);
            _pos += size;
            return record;
        }
        var big = await ReadLargeAsync(size, start, ct);
        return Parse(big.AsSpan(0, size), start + 4, _keepBytes, _keys);
    }

    // Reads a record larger than the buffer, growing the array only as data actually arrives.
    private async ValueTask<byte[]> ReadLargeAsync(int size, long start, CancellationToken ct)
    {
        var data = _keepBytes || _scratch.Length == 0 ? new byte[Math.Min(size, 4 << 20)] : _scratch;
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
        if (!_keepBytes) _scratch = data;
        return data;
    }

    private static BackupRecord Parse(ReadOnlySpan<byte> r, long at, bool keepBytes, HeaderKeyCache keys)
    {
        var p = 16;
        var timestamp = BinaryPrimitives.ReadInt64LittleEndian(r);
        var offset = BinaryPrimitives.ReadInt64LittleEndian(r[8..]);
        var key = ReadBytes(r, ref p, at, "key", keepBytes);
        var value = ReadBytes(r, ref p, at, "value", keepBytes);
        if (r.Length - p < 2) throw new SegmentProblem(at + p, "record too short for its header count");
        int headerCount = BinaryPrimitives.ReadUInt16LittleEndian(r[p..]);
        p += 2;
        var headers = headerCount == 0 ? [] : new BackupHeader[headerCount];
        for (var i = 0; i < headerCount; i++)
        {
            if (r.Length - p < 2) throw new SegmentProblem(at + p, $"record ends inside header {i} of {headerCount}");
            int keyLength = BinaryPrimitives.ReadUInt16LittleEndian(r[p..]);
            p += 2;
            if (keyLength > r.Length - p)
                throw new SegmentProblem(at + p - 2, $"header {i} key length {keyLength} overflows the record ({r.Length - p} bytes left)");
            var headerKey = keys.Get(r.Slice(p, keyLength)) ?? throw new SegmentProblem(at + p, $"header {i} key is not valid UTF-8");
            p += keyLength;
            if (r.Length - p < 4) throw new SegmentProblem(at + p, $"record ends inside header {i} value length");
            headers[i] = new BackupHeader(headerKey, ReadBytes(r, ref p, at, $"header {i} value", keepBytes));
        }
        if (p != r.Length)
            throw new SegmentProblem(at + p, $"record at offset {offset} has {r.Length - p} bytes beyond its last header");
        return new BackupRecord { Offset = offset, Timestamp = timestamp, Key = key, Value = value, Headers = headers };
    }

    // Reads an i32 length (−1 = null) and the bytes; the caller checked that 4 bytes are there.
    private static byte[]? ReadBytes(ReadOnlySpan<byte> r, ref int p, long at, string what, bool keepBytes)
    {
        if (r.Length - p < 4) throw new SegmentProblem(at + p, $"record ends inside the {what} length");
        var length = BinaryPrimitives.ReadInt32LittleEndian(r[p..]);
        if (length == -1)
        {
            p += 4;
            return null;
        }
        if (length < -1) throw new SegmentProblem(at + p, $"{what} length {length} is negative (only -1, meaning null, is allowed)");
        if (length > r.Length - p - 4)
            throw new SegmentProblem(at + p, $"{what} length {length} overflows the record ({r.Length - p - 4} bytes left)");
        p += 4;
        var bytes = keepBytes ? r.Slice(p, length).ToArray() : [];
        p += length;
        return bytes;
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
