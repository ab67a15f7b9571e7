using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Provenance;

/// <summary>
/// Builds the headers of each produced record. Without original-offset headers the stored headers
/// go out unchanged (order, duplicates, null vs empty values). With them, a stored header of the
/// same name as one this restore adds is dropped, so the record carries exactly one copy: the one
/// describing the backup being restored. One instance per worker: the added header values are
/// reused buffers, which is safe because the producer copies headers when a record is enqueued.
/// </summary>
internal sealed class RecordHeaderBuilder
{
    private readonly bool _include;
    private readonly MutableHeader _offset = new(OriginalOffsetHeaders.OriginalOffset, 8);
    private readonly MutableHeader _timestamp = new(OriginalOffsetHeaders.OriginalTimestamp, 8);
    private readonly MutableHeader _partition = new(OriginalOffsetHeaders.SourcePartition, 4);
    private readonly Header? _cluster;

    public RecordHeaderBuilder(bool includeOriginalOffsetHeader, string? sourceCluster)
    {
        _include = includeOriginalOffsetHeader;
        if (includeOriginalOffsetHeader && !string.IsNullOrEmpty(sourceCluster))
            _cluster = new Header(OriginalOffsetHeaders.SourceCluster, Encoding.UTF8.GetBytes(sourceCluster));
    }

    /// <summary>Headers for <paramref name="record"/>, or null when it has none to carry.</summary>
    public Headers? Build(BackupRecord record, int sourcePartition)
    {
        var stored = record.Headers;
        if (!_include)
        {
            if (stored.Count == 0) return null;
            var plain = new Headers();
            for (var i = 0; i < stored.Count; i++) plain.Add(new Header(stored[i].Key, stored[i].Value));
            return plain;
        }

        var headers = new Headers();
        for (var i = 0; i < stored.Count; i++)
        {
            var h = stored[i];
            if (IsReplaced(h.Key)) continue;
            headers.Add(new Header(h.Key, h.Value));
        }
        BinaryPrimitives.WriteInt64LittleEndian(_offset.Buffer, record.Offset);
        BinaryPrimitives.WriteInt64LittleEndian(_timestamp.Buffer, record.Timestamp);
        BinaryPrimitives.WriteInt32LittleEndian(_partition.Buffer, sourcePartition);
        headers.Add(_offset);
        headers.Add(_timestamp);
        headers.Add(_partition);
        if (_cluster is not null) headers.Add(_cluster);
        return headers;
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
}
