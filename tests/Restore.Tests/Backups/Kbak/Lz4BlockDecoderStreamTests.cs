using K4os.Compression.LZ4;
using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Restore.Tests.Backups.Kbak;

public sealed class Lz4BlockDecoderStreamTests
{
    public static TheoryData<string> Kinds => new() { "random", "text", "runs", "mixed" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Decodes_blocks_from_the_reference_codec_read_in_odd_chunk_sizes(string kind)
    {
        var plain = Data(kind, 3 * 1024 * 1024 + 17);
        foreach (var level in new[] { LZ4Level.L00_FAST, LZ4Level.L09_HC })
        {
            var packed = new byte[LZ4Codec.MaximumOutputSize(plain.Length)];
            var n = LZ4Codec.Encode(plain, packed, level);
            using var source = new TrickleStream(packed.AsSpan(0, n).ToArray(), 777);
            using var decoder = new Lz4BlockDecoderStream(source, plain.Length);
            var output = new MemoryStream();
            var chunk = new byte[1000];
            int read;
            while ((read = decoder.Read(chunk, 0, chunk.Length)) > 0) output.Write(chunk, 0, read);
            Assert.True(plain.AsSpan().SequenceEqual(output.ToArray()), $"{kind} {level}");
        }
    }

    [Fact]
    public void A_match_pointing_before_the_block_is_invalid()
    {
        // token: 1 literal, match length 4; literal 'a'; offset 5 (only 1 byte produced so far)
        byte[] block = [0x10, (byte)'a', 5, 0, 0x00];
        using var decoder = new Lz4BlockDecoderStream(new MemoryStream(block), 10);
        Assert.Throws<InvalidDataException>(() => decoder.Read(new byte[100], 0, 100));
    }

    private static byte[] Data(string kind, int size)
    {
        var rnd = new Random(42);
        var data = new byte[size];
        switch (kind)
        {
            case "random":
                rnd.NextBytes(data);
                break;
            case "text":
                var words = "the quick brown fox jumps over the lazy dog kafka offset partition "u8.ToArray();
                for (var i = 0; i < size; i++) data[i] = words[(i * 7 + i / 13) % words.Length];
                break;
            case "runs":
                for (var i = 0; i < size; i++) data[i] = (byte)(i / 100_000);
                break;
            default:
                for (var i = 0; i < size; i += 4096)
                {
                    var block = data.AsSpan(i, Math.Min(4096, size - i));
                    if (rnd.Next(2) == 0) rnd.NextBytes(block);
                    else block.Fill((byte)rnd.Next(256));
                }
                break;
        }
        return data;
    }

    // Hands out at most `chunk` bytes per read, to exercise resumption at every state.
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));
    }
}
