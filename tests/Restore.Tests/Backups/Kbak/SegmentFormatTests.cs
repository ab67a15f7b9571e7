using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Backups.Kbak;

public sealed class SegmentFormatTests : IDisposable
{
    private const string Key = "b1/topics/t/partition=0/segment-00000000000000000100.bin";
    private readonly TempDir _dir = new("kr-kbak");
    private readonly FilesystemBackupStorage _storage;

    public SegmentFormatTests() => _storage = new FilesystemBackupStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private async Task<List<BackupRecord>> ReadAsync(byte[] segment)
    {
        await _storage.WriteAsync(Key, new MemoryStream(segment), CancellationToken.None);
        var records = new List<BackupRecord>();
        await foreach (var r in SegmentReader.ReadAsync(_storage, Key, CancellationToken.None)) records.Add(r);
        return records;
    }

    private async Task<CorruptSegmentException> CorruptAsync(byte[] segment) =>
        await Assert.ThrowsAsync<CorruptSegmentException>(() => ReadAsync(segment));

    [Theory]
    [InlineData(BackupCompression.None, false)]
    [InlineData(BackupCompression.Zstd, false)]
    [InlineData(BackupCompression.Zstd, true)]
    [InlineData(BackupCompression.Lz4, false)]
    public async Task A_hand_built_segment_decodes_to_its_records(BackupCompression compression, bool zstdWithoutContentSize)
    {
        var records = await ReadAsync(HandBuiltSegment.Segment(compression, zstdWithoutContentSize));

        Assert.Equal(HandBuiltSegment.Records.Select(HandBuiltSegment.Show), records.Select(HandBuiltSegment.Show));
        Assert.Null(records[0].Headers[1].Value);
        Assert.Empty(records[0].Headers[2].Value!);
        Assert.Equal("é", records[0].Headers[2].Key);
        Assert.Null(records[1].Key);
        Assert.Empty(records[1].Value!);
        Assert.Empty(records[2].Key!);
        Assert.Null(records[2].Value);
    }

    [Fact]
    public async Task The_writer_produces_the_hand_built_bytes_for_compression_none()
    {
        var written = await SegmentWriter.EncodeAsync(HandBuiltSegment.Records, BackupCompression.None, CancellationToken.None);

        Assert.Equal(Convert.ToHexString(HandBuiltSegment.Segment(BackupCompression.None)), Convert.ToHexString(written));
    }

    [Theory]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task The_writer_frames_compressed_bodies_as_the_format_says(BackupCompression compression)
    {
        var written = await SegmentWriter.EncodeAsync(HandBuiltSegment.Records, compression, CancellationToken.None);

        var hand = HandBuiltSegment.Segment(compression);
        Assert.Equal(Convert.ToHexString(hand.AsSpan(0, 32)), Convert.ToHexString(written.AsSpan(0, 32)));
        Assert.Equal(HandBuiltSegment.Crc32(written[..^8]), BitConverter.ToUInt32(written.AsSpan(written.Length - 8, 4)));
        Assert.Equal("BKAE"u8.ToArray(), written[^4..]);
        var stored = written[32..^8];
        var body = HandBuiltSegment.Body();
        if (compression == BackupCompression.Zstd)
        {
            using var d = new ZstdSharp.Decompressor();
            Assert.Equal(body, d.Unwrap(stored).ToArray());
        }
        else
        {
            Assert.Equal((uint)body.Length, BitConverter.ToUInt32(stored, 0));
            var decoded = new byte[body.Length];
            Assert.Equal(body.Length, K4os.Compression.LZ4.LZ4Codec.Decode(stored.AsSpan(4), decoded));
            Assert.Equal(body, decoded);
        }
        Assert.Equal(HandBuiltSegment.Records.Select(HandBuiltSegment.Show), (await ReadAsync(written)).Select(HandBuiltSegment.Show));
    }

    [Fact]
    public async Task A_wrong_magic_is_corruption_at_offset_0()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[0] = (byte)'X';
        var e = await CorruptAsync(seg);
        AssertNames(e, 0, "magic");
    }

    [Fact]
    public async Task An_unknown_version_is_corruption_at_offset_4()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[4] = 2;
        AssertNames(await CorruptAsync(HandBuiltSegment.Refooter(seg)), 4, "version 2");
    }

    [Fact]
    public async Task An_unknown_compression_byte_is_corruption_at_offset_5()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[5] = 3;
        AssertNames(await CorruptAsync(HandBuiltSegment.Refooter(seg)), 5, "compression byte 3");
    }

    [Fact]
    public async Task A_crc_mismatch_is_corruption_at_the_footer()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        var valueByte = Array.IndexOf(seg, (byte)'v');
        seg[valueByte] = (byte)'w';
        var e = await CorruptAsync(seg);
        AssertNames(e, seg.Length - 8, "CRC-32 mismatch");
    }

    [Fact]
    public async Task A_wrong_footer_magic_is_corruption()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[^1] = (byte)'X';
        AssertNames(await CorruptAsync(seg), seg.Length - 4, "footer magic");
    }

    [Theory]
    [InlineData(BackupCompression.None)]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task Every_truncation_is_corruption_never_a_crash(BackupCompression compression)
    {
        var seg = HandBuiltSegment.Segment(compression);
        for (var length = 0; length < seg.Length; length++)
        {
            var e = await CorruptAsync(seg[..length]);
            Assert.Equal(Key, e.Key);
            Assert.Contains(_storage.Describe(Key), e.Message, StringComparison.Ordinal);
            Assert.InRange(e.ByteOffset, 0, seg.Length);
        }
    }

    [Theory]
    [InlineData(BackupCompression.None)]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task Every_flipped_byte_is_corruption_never_a_crash(BackupCompression compression)
    {
        var seg = HandBuiltSegment.Segment(compression);
        for (var i = 0; i < seg.Length; i++)
        {
            var copy = (byte[])seg.Clone();
            copy[i] ^= 0x5A;
            var e = await CorruptAsync(copy);
            Assert.Equal("CorruptSegment", e.Reason);
            Assert.Equal(Key, e.Key);
        }
    }

    [Fact]
    public async Task A_record_length_beyond_the_maximum_is_an_overflow()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[32] = 0xFF; seg[33] = 0xFF; seg[34] = 0xFF; seg[35] = 0xFF;
        AssertNames(await CorruptAsync(HandBuiltSegment.Refooter(seg)), 32, "overflows");
    }

    [Fact]
    public async Task A_record_length_longer_than_the_body_is_truncation()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[32] = 0x00; seg[33] = 0x10; // 4096 bytes: more than the whole body
        AssertNames(await CorruptAsync(HandBuiltSegment.Refooter(seg)), 32, "truncated");
    }

    [Fact]
    public async Task A_key_length_below_minus_one_is_corruption_naming_the_field()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        // record 0: length(4) ts(8) offset(8) then key length at 32+20.
        WriteI32(seg, 52, -2);
        AssertNames(await CorruptAsync(HandBuiltSegment.Refooter(seg)), 52, "key length -2 is negative");
    }

    [Fact]
    public async Task A_value_length_that_overflows_the_record_is_corruption()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        WriteI32(seg, 58, 1000); // value length of record 0 (after key length 4 + "k1")
        AssertNames(await CorruptAsync(HandBuiltSegment.Refooter(seg)), 58, "value length 1000 overflows");
    }

    [Fact]
    public async Task A_header_count_that_overflows_the_record_is_corruption()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.None);
        seg[64] = 9; // header count of record 0
        var e = await CorruptAsync(HandBuiltSegment.Refooter(seg));
        Assert.Contains("header", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4UL, "announces 4 records but the body ends after 3")]
    [InlineData(2UL, "more records than the 2")]
    public async Task A_record_count_that_differs_from_the_body_is_corruption(ulong count, string problem)
    {
        var seg = HandBuiltSegment.Frame(0, count, 100, 105, HandBuiltSegment.Body());
        var e = await CorruptAsync(seg);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Equal(Key, e.Key);
    }

    [Fact]
    public async Task Records_outside_the_header_offset_range_are_corruption()
    {
        var e = await CorruptAsync(HandBuiltSegment.Frame(0, 3, 100, 104, HandBuiltSegment.Body()));
        Assert.Contains("outside the header's range 100..104", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_zstd_frame_is_corruption_with_an_object_offset()
    {
        var body = new byte[40];
        Array.Fill(body, (byte)0xEE);
        var e = await CorruptAsync(HandBuiltSegment.Frame(1, 3, 100, 105, body));
        Assert.Contains("zstd body cannot be decompressed", e.Problem, StringComparison.Ordinal);
        Assert.InRange(e.ByteOffset, 32, 72);
    }

    [Fact]
    public async Task An_lz4_length_prefix_that_disagrees_with_the_block_is_corruption()
    {
        var seg = HandBuiltSegment.Segment(BackupCompression.Lz4);
        seg[32] += 1;
        var e = await CorruptAsync(HandBuiltSegment.Refooter(seg));
        Assert.Contains("length prefix", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_problems_inside_compressed_bodies_say_the_offset_is_in_the_decompressed_body()
    {
        var body = HandBuiltSegment.Body();
        body[20] = 0xFE; body[21] = 0xFF; body[22] = 0xFF; body[23] = 0xFF; // key length -2
        var stored = new ZstdSharp.Compressor(3).Wrap(body).ToArray();
        var e = await CorruptAsync(HandBuiltSegment.Frame(1, 3, 100, 105, stored));
        Assert.Equal(20, e.ByteOffset);
        Assert.Contains("decompressed zstd body", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_segment_is_BackupObjectNotFound_naming_the_path()
    {
        var e = await Assert.ThrowsAsync<BackupObjectNotFoundException>(async () =>
        {
            await foreach (var _ in SegmentReader.ReadAsync(_storage, "nope/segment.bin", CancellationToken.None)) { }
        });
        Assert.Equal("BackupObjectNotFound", e.Reason);
        Assert.Contains(_dir.Combine("nope", "segment.bin"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_summarises_a_segment()
    {
        await _storage.WriteAsync(Key, new MemoryStream(HandBuiltSegment.Segment(BackupCompression.Lz4)), CancellationToken.None);

        var s = await SegmentReader.VerifyAsync(_storage, Key, CancellationToken.None);

        Assert.Equal(new SegmentSummary(BackupCompression.Lz4, 3, 100, 105, 1_700_000_000_000, 1_699_999_999_999,
            HandBuiltSegment.Body().Length, HandBuiltSegment.Segment(BackupCompression.Lz4).Length), s);
    }

    private void AssertNames(CorruptSegmentException e, long offset, string problem)
    {
        Assert.Equal("CorruptSegment", e.Reason);
        Assert.Equal(Key, e.Key);
        Assert.Equal(offset, e.ByteOffset);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.Contains(_storage.Describe(Key), e.Message, StringComparison.Ordinal);
        Assert.Contains($"byte offset {offset}", e.Message, StringComparison.Ordinal);
    }

    private static void WriteI32(byte[] b, int at, int v)
    {
        for (var i = 0; i < 4; i++) b[at + i] = (byte)(v >> (8 * i));
    }
}
