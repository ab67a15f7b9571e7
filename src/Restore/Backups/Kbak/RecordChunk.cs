using System.Collections.Concurrent;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// Decoded records of one segment travelling from the reader to the producing loop, without an object
/// per record: each record's bytes are copied once, whole, into the chunk's arena, and its key, value
/// and header values are slices of them (<see cref="ChunkRecord"/>, <see cref="ChunkHeader"/>). Chunks
/// come from a <see cref="RecordChunkPool"/> and go back to it once produced, so a restore reuses the
/// same few arrays from its first segment to its last.
/// </summary>
internal sealed class RecordChunk
{
    /// <summary>Records per chunk at most.</summary>
    public const int MaxRecords = 1024;

    /// <summary>Key, value and header bytes per chunk at most (a single bigger record still travels alone).</summary>
    public const long MaxBytes = 256 * 1024;

    /// <summary>Arena of a pooled chunk: the byte limit plus the records' framing. Bigger arenas (one large record) are not kept.</summary>
    internal const int ArenaBytes = 320 * 1024;

    private readonly ChunkRecord[] _records = new ChunkRecord[MaxRecords];
    private byte[] _arena = new byte[ArenaBytes];
    private ChunkHeader[] _headers = new ChunkHeader[64];
    private int _used;
    private int _headerCount;

    /// <summary>Index of the segment in its partition's plan.</summary>
    public int SegmentIndex { get; private set; }

    public int Count { get; private set; }

    /// <summary>Key, value and header bytes of the records (what the producer buffers for them).</summary>
    public long Bytes { get; private set; }

    /// <summary>The record bytes every <see cref="ChunkRecord"/> and <see cref="ChunkHeader"/> points into.</summary>
    public byte[] Arena => _arena;

    public ref readonly ChunkRecord this[int index] => ref _records[index];

    /// <summary>Header <paramref name="index"/> of the chunk (a record's are <see cref="ChunkRecord.FirstHeader"/> onwards).</summary>
    public ref readonly ChunkHeader Header(int index) => ref _headers[index];

    /// <summary>The record's key; <paramref name="isNull"/> tells a null key from an empty one.</summary>
    public ReadOnlySpan<byte> Key(in ChunkRecord record, out bool isNull)
    {
        isNull = record.KeyLength < 0;
        return isNull ? default : _arena.AsSpan(record.KeyAt, record.KeyLength);
    }

    /// <summary>The record's value; <paramref name="isNull"/> is true for a tombstone.</summary>
    public ReadOnlySpan<byte> Value(in ChunkRecord record, out bool isNull)
    {
        isNull = record.ValueLength < 0;
        return isNull ? default : _arena.AsSpan(record.ValueAt, record.ValueLength);
    }

    /// <summary>Whether a record of <paramref name="size"/> bytes (after its length prefix) is still let in.</summary>
    public bool Fits(int size) => Count == 0 || (Count < MaxRecords && Bytes < MaxBytes && _used + size <= _arena.Length);

    /// <summary>True once the chunk holds as many records or bytes as it should.</summary>
    public bool Full => Count == MaxRecords || Bytes >= MaxBytes;

    /// <summary>
    /// Copies <paramref name="bytes"/> (one record after its length prefix, already checked) into the arena and
    /// records its layout: positions in <paramref name="record"/> and <paramref name="headers"/> are relative to
    /// <paramref name="bytes"/>. The caller checked <see cref="Fits"/>.
    /// </summary>
    public void Append(ReadOnlySpan<byte> bytes, in ChunkRecord record, ReadOnlySpan<ChunkHeader> headers)
    {
        if (_used + bytes.Length > _arena.Length)
        {
            // Only an empty chunk gets here (Fits): one record larger than the arena gets an array of its own.
            _arena = new byte[bytes.Length];
            _used = 0;
        }
        var at = _used;
        bytes.CopyTo(_arena.AsSpan(at));
        _used += bytes.Length;
        if (_headerCount + headers.Length > _headers.Length)
            Array.Resize(ref _headers, Math.Max(_headers.Length * 2, _headerCount + headers.Length));
        for (var i = 0; i < headers.Length; i++)
        {
            var h = headers[i];
            _headers[_headerCount + i] = h with { ValueAt = h.ValueLength < 0 ? 0 : h.ValueAt + at };
        }
        _records[Count++] = record with
        {
            KeyAt = record.KeyLength < 0 ? 0 : record.KeyAt + at,
            ValueAt = record.ValueLength < 0 ? 0 : record.ValueAt + at,
            FirstHeader = _headerCount,
        };
        _headerCount += headers.Length;
        Bytes += record.Size;
    }

    internal void Reset(int segmentIndex)
    {
        SegmentIndex = segmentIndex;
        Count = 0;
        Bytes = 0;
        _used = 0;
        // Header keys are strings the reader caches; dropping them lets a chunk waiting in the pool hold no other object.
        Array.Clear(_headers, 0, _headerCount);
        _headerCount = 0;
        if (_arena.Length > ArenaBytes) _arena = new byte[ArenaBytes];
        if (_headers.Length > 4096) _headers = new ChunkHeader[64];
    }
}

/// <summary>One decoded record of a <see cref="RecordChunk"/>: positions in its arena; a length of −1 means null.</summary>
internal readonly record struct ChunkRecord
{
    public required long Offset { get; init; }

    public required long Timestamp { get; init; }

    public int KeyAt { get; init; }

    public required int KeyLength { get; init; }

    public int ValueAt { get; init; }

    public required int ValueLength { get; init; }

    public int FirstHeader { get; init; }

    public required int HeaderCount { get; init; }

    /// <summary>Key, value and header bytes (header keys included), as <see cref="RecordChunk.Bytes"/> counts them.</summary>
    public required int Size { get; init; }
}

/// <summary>One header of a <see cref="ChunkRecord"/>: its key, and its value's position in the arena (length −1: null).</summary>
internal readonly record struct ChunkHeader(string Key, int ValueAt, int ValueLength);

/// <summary>
/// The chunks of one restore session. A chunk is handed out by <see cref="Rent"/> and comes back by
/// <see cref="Return"/> once its records are produced; the pool grows to the most chunks in flight at once
/// (bounded by the read-ahead budget) and is dropped with the session, so nothing stays cached in an idle daemon.
/// </summary>
internal sealed class RecordChunkPool
{
    private readonly ConcurrentBag<RecordChunk> _free = [];

    public RecordChunk Rent(int segmentIndex)
    {
        var chunk = _free.TryTake(out var c) ? c : new RecordChunk();
        chunk.Reset(segmentIndex);
        return chunk;
    }

    public void Return(RecordChunk chunk)
    {
        chunk.Reset(-1);
        _free.Add(chunk);
    }
}
