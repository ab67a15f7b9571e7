using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// The original-offset headers of SPEC 3.1, with the encodings the kafka-backup tool family uses.
/// Readers accept the 8/4-byte little-endian form or decimal UTF-8 text.
/// </summary>
public static class OriginalOffsetHeaders
{
    /// <summary>The record's offset in the source partition, 8-byte little-endian int64.</summary>
    public const string OriginalOffset = "x-original-offset";

    /// <summary>The record's timestamp in Unix ms, 8-byte little-endian int64.</summary>
    public const string OriginalTimestamp = "x-original-timestamp";

    /// <summary>The source partition, 4-byte little-endian int32.</summary>
    public const string SourcePartition = "x-source-partition";

    /// <summary>The source cluster (UTF-8), when known.</summary>
    public const string SourceCluster = "x-source-cluster";

    /// <summary>Decodes an int64 header value written as 8 bytes little-endian or as decimal UTF-8 text; null when neither.</summary>
    public static long? ReadInt64(ReadOnlySpan<byte> value)
    {
        // Text first: eight ASCII digits read as little-endian would exceed 3.4e18, never a real offset.
        if (IsDecimalText(value))
            return long.TryParse(Encoding.ASCII.GetString(value), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
        return value.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(value) : null;
    }

    /// <summary>Decodes an int32 header value written as 4 bytes little-endian or as decimal UTF-8 text; null when neither.</summary>
    public static int? ReadInt32(ReadOnlySpan<byte> value)
    {
        if (IsDecimalText(value))
            return int.TryParse(Encoding.ASCII.GetString(value), System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;
        return value.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(value) : null;
    }

    private static bool IsDecimalText(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty) return false;
        for (var i = 0; i < value.Length; i++)
        {
            var b = value[i];
            if (b is >= (byte)'0' and <= (byte)'9') continue;
            if (i == 0 && b == (byte)'-' && value.Length > 1) continue;
            return false;
        }
        return true;
    }
}

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
