using System.Buffers;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Engine;

/// <summary>Decoded records of one segment travelling from the reader to the producing loop; arrays are pooled.</summary>
internal sealed class RecordChunk
{
    private RecordChunk(BackupRecord[] records, int segmentIndex)
    {
        Records = records;
        SegmentIndex = segmentIndex;
    }

    public BackupRecord[] Records { get; }

    public int SegmentIndex { get; }

    public int Count { get; private set; }

    public long Bytes { get; private set; }

    public static RecordChunk Rent(int segmentIndex) => new(ArrayPool<BackupRecord>.Shared.Rent(1024), segmentIndex);

    public void Add(BackupRecord record)
    {
        Records[Count++] = record;
        Bytes += SizeOf(record);
    }

    public void Return()
    {
        Array.Clear(Records, 0, Count);
        ArrayPool<BackupRecord>.Shared.Return(Records);
        Count = 0;
    }

    /// <summary>Key, value and header bytes of a record (what the producer buffers for it).</summary>
    public static long SizeOf(BackupRecord record)
    {
        long size = (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        var headers = record.Headers;
        for (var i = 0; i < headers.Count; i++) size += headers[i].Key.Length + (headers[i].Value?.Length ?? 0);
        return size;
    }
}
