using System.Text;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Backups.Kbak;

/// <summary>
/// The restore reads segments into pooled chunks (one arena per chunk, no object per record). These tests hold that
/// path to the record-by-record reader: the same records, byte for byte (null and empty kept apart), the same
/// corruption reports, and chunks that respect their limits.
/// </summary>
public sealed class ChunkedReadingTests : IDisposable
{
    private const string Key = "b1/topics/t/partition=0/segment-00000000000000000100.bin";
    private readonly TempDir _dir = new("kr-chunks");
    private readonly FilesystemBackupStorage _storage;

    public ChunkedReadingTests() => _storage = new FilesystemBackupStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(BackupCompression.None)]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task Chunks_hold_exactly_the_records_the_record_reader_returns(BackupCompression compression)
    {
        var records = RandomRecords(seed: 7, count: 5000);
        await WriteAsync(records, compression);

        var (shown, chunks) = await ReadChunksAsync(new RecordChunkPool());

        Assert.Equal(records.Select(HandBuiltSegment.Show), shown);
        Assert.Equal(await ReadRecordsAsync(), shown);
        // 5000 records of up to 300 bytes: chunks close at 1024 records (the byte limit is not reached first).
        Assert.Equal([1024, 1024, 1024, 1024, 904], chunks.Select(c => c.Count));
        Assert.Equal(records.Sum(PayloadBytes), chunks.Sum(c => c.Bytes));
    }

    [Fact]
    public async Task Chunks_close_at_the_byte_limit_and_a_record_larger_than_the_arena_travels_alone()
    {
        // 2,000-byte values reach 256 KiB after 131 records; the 1 MiB and 200 KiB records exceed the read buffer,
        // the first also the pooled arena.
        var records = new List<BackupRecord>();
        for (var i = 0; i < 400; i++)
            records.Add(new BackupRecord { Offset = 100 + i, Timestamp = 1_700_000_000_000 + i, Key = [(byte)i], Value = Filled(2000, i) });
        records.Insert(200, new BackupRecord { Offset = 9_000, Timestamp = 5, Key = null, Value = Filled(1 << 20, 3) });
        records.Insert(201, new BackupRecord { Offset = 9_001, Timestamp = 6, Key = [], Value = Filled(200_000, 4) });
        records = [.. records.Select((r, i) => new BackupRecord { Offset = 100 + i, Timestamp = r.Timestamp, Key = r.Key, Value = r.Value, Headers = r.Headers })];
        await WriteAsync(records, BackupCompression.Zstd);
        var pool = new RecordChunkPool();

        var (shown, chunks) = await ReadChunksAsync(pool);

        Assert.Equal(records.Select(HandBuiltSegment.Show), shown);
        // 132 records of 2,001 bytes pass 256 KiB; 68 more, then the 1 MiB record does not fit the arena and closes the
        // chunk early; it travels alone; the 200 KB record and 32 small ones pass 256 KiB; then 132 and the last 36.
        Assert.Equal([132, 68, 1, 33, 132, 36], chunks.Select(c => c.Count));
        Assert.Equal(1 << 20, chunks[2].Bytes);
        Assert.Equal(records.Sum(PayloadBytes), chunks.Sum(c => c.Bytes));
        // The big arena is not kept: a chunk taken from the pool afterwards has the pooled size again.
        Assert.Equal(RecordChunk.ArenaBytes, pool.Rent(0).Arena.Length);
    }

    [Theory]
    [InlineData(BackupCompression.None)]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task Every_truncation_and_flipped_byte_is_reported_exactly_as_the_record_reader_reports_it(BackupCompression compression)
    {
        var seg = HandBuiltSegment.Segment(compression);
        var damaged = new List<byte[]>();
        for (var length = 0; length < seg.Length; length++) damaged.Add(seg[..length]);
        for (var i = 0; i < seg.Length; i++)
        {
            var copy = (byte[])seg.Clone();
            copy[i] ^= 0x5A;
            damaged.Add(copy);
        }
        foreach (var bytes in damaged)
        {
            await _storage.WriteAsync(Key, new MemoryStream(bytes), CancellationToken.None);
            var expected = await Assert.ThrowsAsync<CorruptSegmentException>(ReadRecordsAsync);
            var pool = new RecordChunkPool();
            var actual = await Assert.ThrowsAsync<CorruptSegmentException>(() => ReadChunksAsync(pool));
            Assert.Equal(expected.Message, actual.Message);
            Assert.Equal(expected.ByteOffset, actual.ByteOffset);
        }
    }

    [Fact]
    public async Task A_record_over_the_limit_fails_the_chunked_read_as_RecordTooLarge_before_it_is_read()
    {
        await WriteAsync([new BackupRecord { Offset = 100, Timestamp = 1, Key = null, Value = Filled(3 << 20, 1) }], BackupCompression.Zstd);
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(async () =>
        {
            await foreach (var chunk in SegmentReader.ReadChunksAsync(_storage, Key, 1 << 20, new RecordChunkPool(), 0, CancellationToken.None)) _ = chunk;
        });
        Assert.Equal("RecordTooLarge", e.Reason);
        Assert.Contains("holds a record of 3145754 bytes", e.Message, StringComparison.Ordinal);
    }

    private async Task WriteAsync(IReadOnlyList<BackupRecord> records, BackupCompression compression)
    {
        var bytes = await SegmentWriter.EncodeAsync(records, compression, CancellationToken.None);
        await _storage.WriteAsync(Key, new MemoryStream(bytes), CancellationToken.None);
    }

    private async Task<List<string>> ReadRecordsAsync()
    {
        var shown = new List<string>();
        await foreach (var r in SegmentReader.ReadAsync(_storage, Key, CancellationToken.None)) shown.Add(HandBuiltSegment.Show(r));
        return shown;
    }

    private sealed record ChunkShape(int Count, long Bytes);

    // What the read-ahead budget counts for a record: key, value, header key (UTF-8) and header value bytes.
    private static long PayloadBytes(BackupRecord r) =>
        (r.Key?.Length ?? 0) + (r.Value?.Length ?? 0) + r.Headers.Sum(h => Encoding.UTF8.GetByteCount(h.Key) + (h.Value?.Length ?? 0));

    // Reads through the pool as the engine does, returning each chunk once its records are shown.
    private async Task<(List<string> Shown, List<ChunkShape> Chunks)> ReadChunksAsync(RecordChunkPool pool)
    {
        var shown = new List<string>();
        var chunks = new List<ChunkShape>();
        await foreach (var chunk in SegmentReader.ReadChunksAsync(_storage, Key, SegmentFormat.MaxRecordSize, pool, 3, CancellationToken.None))
        {
            Assert.Equal(3, chunk.SegmentIndex);
            for (var i = 0; i < chunk.Count; i++) shown.Add(Show(chunk, i));
            chunks.Add(new ChunkShape(chunk.Count, chunk.Bytes));
            pool.Return(chunk);
        }
        return (shown, chunks);
    }

    // The same text as HandBuiltSegment.Show, from the chunk's arena.
    private static string Show(RecordChunk chunk, int index)
    {
        ref readonly var r = ref chunk[index];
        var key = chunk.Key(r, out var keyIsNull);
        var value = chunk.Value(r, out var valueIsNull);
        var sb = new StringBuilder($"{r.Offset}@{r.Timestamp} k={B(key, keyIsNull)} v={B(value, valueIsNull)}");
        for (var i = 0; i < r.HeaderCount; i++)
        {
            var h = chunk.Header(r.FirstHeader + i);
            sb.Append($" {h.Key}={B(h.ValueLength < 0 ? default : chunk.Arena.AsSpan(h.ValueAt, h.ValueLength), h.ValueLength < 0)}");
        }
        return sb.ToString();
    }

    private static string B(ReadOnlySpan<byte> b, bool isNull) => isNull ? "null" : "[" + Convert.ToHexString(b) + "]";

    private static byte[] Filled(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // Null, empty and filled keys, values and header values; duplicate and non-ASCII header keys.
    private static List<BackupRecord> RandomRecords(int seed, int count)
    {
        var random = new Random(seed);
        string[] names = ["trace", "é-key", "trace", "content-type", ""];
        byte[]? Bytes(int max) => random.Next(5) switch
        {
            0 => null,
            1 => [],
            _ => Filled(random.Next(1, max), random.Next()),
        };
        var records = new List<BackupRecord>();
        for (var i = 0; i < count; i++)
        {
            var headers = new BackupHeader[random.Next(4) == 0 ? random.Next(1, 5) : 0];
            for (var h = 0; h < headers.Length; h++) headers[h] = new BackupHeader(names[random.Next(names.Length)], Bytes(20));
            records.Add(new BackupRecord
            {
                Offset = 100 + i * 2,
                Timestamp = 1_700_000_000_000 + random.Next(-5, 1000),
                Key = Bytes(40),
                Value = Bytes(300),
                Headers = headers,
            });
        }
        return records;
    }
}
