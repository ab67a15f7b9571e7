using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Provenance;

/// <summary>
/// Builds the headers of each produced record. Without original-offset headers the stored headers
/// go out unchanged (order, duplicates, null vs empty values). With them, a stored header of the
/// same name as one this restore adds is dropped, so the record carries exactly one copy: the one
/// describing the backup being restored. One instance per worker: the headers collection, its
/// entries and the added header values are reused from record to record, which is safe because the
/// producer copies headers when a record is enqueued (and delivery reports carry none).
/// </summary>
internal sealed class RecordHeaderBuilder
{
    private readonly bool _include;
    private readonly MutableHeader _offset = new(OriginalOffsetHeaders.OriginalOffset, 8);
    private readonly MutableHeader _timestamp = new(OriginalOffsetHeaders.OriginalTimestamp, 8);
    private readonly MutableHeader _partition = new(OriginalOffsetHeaders.SourcePartition, 4);
    private readonly Header? _cluster;
    private readonly Headers _headers = new();
    // Confluent's Headers has no Clear; its backing list is a List<IHeader> today. Should that change, a new collection per record.
    private readonly List<IHeader>? _list;
    private readonly List<StoredHeader> _stored = [];

    public RecordHeaderBuilder(bool includeOriginalOffsetHeader, string? sourceCluster)
    {
        _include = includeOriginalOffsetHeader;
        if (includeOriginalOffsetHeader && !string.IsNullOrEmpty(sourceCluster))
            _cluster = new Header(OriginalOffsetHeaders.SourceCluster, Encoding.UTF8.GetBytes(sourceCluster));
        _list = _headers.BackingList as List<IHeader>;
    }

    /// <summary>
    /// Headers for <paramref name="record"/>, valid until the next call (an empty collection when it has
    /// none to carry: the producer would allocate one per record for a null).
    /// </summary>
    public Headers Build(BackupRecord record, int sourcePartition)
    {
        var headers = Fresh();
        var stored = record.Headers;
        var used = 0;
        for (var i = 0; i < stored.Count; i++)
        {
            var h = stored[i];
            if (_include && IsReplaced(h.Key)) continue;
            headers.Add(Stored(used++, h));
        }
        if (!_include) return headers;
        BinaryPrimitives.WriteInt64LittleEndian(_offset.Buffer, record.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(_timestamp.Buffer, record.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(_partition.Buffer, sourcePartition);
        headers.Add(_offset);
        headers.Add(_timestamp);
        headers.Add(_partition);
        if (_cluster is not null) headers.Add(_cluster);
        return headers;
    }

    private Headers Fresh()
    {
        if (_list is null) return new Headers();
        _list.Clear();
        return _headers;
    }

    private StoredHeader Stored(int index, BackupHeader header)
    {
        if (index == _stored.Count) _stored.Add(new StoredHeader());
        var entry = _stored[index];
        entry.Key = header.Key;
        entry.Value = header.Value;
        return entry;
    }

    private bool IsReplaced(string key) =>
        key is OriginalOffsetHeaders.OriginalOffset or OriginalOffsetHeaders.OriginalTimestamp or OriginalOffsetHeaders.SourcePartition
        || (_cluster is not null && key == OriginalOffsetHeaders.SourceCluster);

    /// <summary>A header whose value buffer is overwritten for each record.</summary>
    private sealed class MutableHeader(string key, int size) : IHeader
    {
        public string Key { get; } = key;

        public byte[] Buffer { get; } = new byte[size];

        public byte[] GetValueBytes() => Buffer;
    }

    /// <summary>A stored header's key and value (null stays null), reused for the next record's header at the same position.</summary>
    private sealed class StoredHeader : IHeader
    {
        public string Key { get; set; } = "";

        public byte[]? Value { get; set; }

        public byte[] GetValueBytes() => Value!;
    }
}
