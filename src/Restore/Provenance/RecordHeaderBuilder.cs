using System.Buffers.Binary;
using System.Text;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Provenance;

/// <summary>
/// Builds the headers of each produced record. Without original-offset headers the stored headers
/// go out unchanged (order, duplicates, null vs empty values). With them, a stored header of the
/// same name as one this restore adds is dropped, so the record carries exactly one copy: the one
/// describing the backup being restored. One instance per partition run: the entries and the added
/// header values are reused from record to record, and stored values stay in their chunk's arena,
/// which is safe because the producer copies headers when a record is enqueued.
/// </summary>
internal sealed class RecordHeaderBuilder
{
    private readonly bool _include;
    private readonly byte[] _offset = new byte[8];
    private readonly byte[] _timestamp = new byte[8];
    private readonly byte[] _partition = new byte[4];
    private readonly byte[]? _cluster;
    private readonly RecordHeaders _headers = new();

    public RecordHeaderBuilder(bool includeOriginalOffsetHeader, string? sourceCluster)
    {
        _include = includeOriginalOffsetHeader;
        if (includeOriginalOffsetHeader && !string.IsNullOrEmpty(sourceCluster))
            _cluster = Encoding.UTF8.GetBytes(sourceCluster);
    }

    /// <summary>Headers for record <paramref name="index"/> of <paramref name="chunk"/>, valid until the next call.</summary>
    public RecordHeaders Build(RecordChunk chunk, int index, int sourcePartition)
    {
        var headers = _headers;
        headers.Clear();
        ref readonly var record = ref chunk[index];
        for (var i = 0; i < record.HeaderCount; i++)
        {
            ref readonly var h = ref chunk.Header(record.FirstHeader + i);
            if (_include && IsReplaced(h.Key)) continue;
            headers.Add(new OutgoingHeader(h.Key, chunk.Arena, h.ValueAt, h.ValueLength));
        }
        if (!_include) return headers;
        BinaryPrimitives.WriteInt64LittleEndian(_offset, record.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(_timestamp, record.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(_partition, sourcePartition);
        headers.Add(new OutgoingHeader(OriginalOffsetHeaders.OriginalOffset, _offset, 0, _offset.Length));
        headers.Add(new OutgoingHeader(OriginalOffsetHeaders.OriginalTimestamp, _timestamp, 0, _timestamp.Length));
        headers.Add(new OutgoingHeader(OriginalOffsetHeaders.SourcePartition, _partition, 0, _partition.Length));
        if (_cluster is not null) headers.Add(new OutgoingHeader(OriginalOffsetHeaders.SourceCluster, _cluster, 0, _cluster.Length));
        return headers;
    }

    private bool IsReplaced(string key) =>
        key is OriginalOffsetHeaders.OriginalOffset or OriginalOffsetHeaders.OriginalTimestamp or OriginalOffsetHeaders.SourcePartition
        || (_cluster is not null && key == OriginalOffsetHeaders.SourceCluster);
}

/// <summary>One header to produce: its key and its value's bytes in <see cref="Source"/> (length −1: a null value).</summary>
internal readonly record struct OutgoingHeader(string Key, byte[] Source, int At, int Length)
{
    public bool IsNull => Length < 0;

    public ReadOnlySpan<byte> Value => IsNull ? default : Source.AsSpan(At, Length);
}

/// <summary>The headers of one record to produce, in order; reused from record to record.</summary>
internal sealed class RecordHeaders
{
    private OutgoingHeader[] _items = new OutgoingHeader[8];

    public int Count { get; private set; }

    public ref readonly OutgoingHeader this[int index] => ref _items[index];

    public void Add(in OutgoingHeader header)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = header;
    }

    public void Clear()
    {
        // The entries point into a chunk's arena and name its keys: dropped so they do not outlive it.
        Array.Clear(_items, 0, Count);
        Count = 0;
    }
}
