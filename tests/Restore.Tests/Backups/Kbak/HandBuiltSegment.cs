using System.Text;
using K4os.Compression.LZ4;
using KafkaRestored.Restore.Backups.Kbak;
using ZstdSharp;

namespace KafkaRestored.Restore.Tests.Backups.Kbak;

/// <summary>
/// Builds segment objects byte by byte from SPEC 6, independently of the product's writer:
/// explicit little-endian shifts and a bitwise CRC-32 (IEEE, as zlib).
/// </summary>
internal static class HandBuiltSegment
{
    /// <summary>Three records covering null/empty keys, values and header values, duplicate header keys and a decreasing timestamp.</summary>
    public static BackupRecord[] Records { get; } =
    [
        new()
        {
            Offset = 100, Timestamp = 1_700_000_000_000, Key = "k1"u8.ToArray(), Value = "v1"u8.ToArray(),
            Headers = [new("h", "x"u8.ToArray()), new("h", null), new("é", [])],
        },
        new() { Offset = 101, Timestamp = 1_700_000_000_005, Key = null, Value = [] },
        new() { Offset = 105, Timestamp = 1_699_999_999_999, Key = [], Value = null },
    ];

    /// <summary>The body (records, uncompressed) of <see cref="Records"/>.</summary>
    public static byte[] Body()
    {
        var body = new List<byte>();
        // record 0
        var r0 = new List<byte>();
        I64(r0, 1_700_000_000_000); I64(r0, 100);
        I32(r0, 2); r0.AddRange("k1"u8.ToArray());
        I32(r0, 2); r0.AddRange("v1"u8.ToArray());
        U16(r0, 3);
        U16(r0, 1); r0.Add((byte)'h'); I32(r0, 1); r0.Add((byte)'x');
        U16(r0, 1); r0.Add((byte)'h'); I32(r0, -1);
        U16(r0, 2); r0.Add(0xC3); r0.Add(0xA9); I32(r0, 0);
        U32(body, (uint)r0.Count); body.AddRange(r0);
        // record 1: null key, empty value
        var r1 = new List<byte>();
        I64(r1, 1_700_000_000_005); I64(r1, 101);
        I32(r1, -1);
        I32(r1, 0);
        U16(r1, 0);
        U32(body, (uint)r1.Count); body.AddRange(r1);
        // record 2: empty key, null value
        var r2 = new List<byte>();
        I64(r2, 1_699_999_999_999); I64(r2, 105);
        I32(r2, 0);
        I32(r2, -1);
        U16(r2, 0);
        U32(body, (uint)r2.Count); body.AddRange(r2);
        return body.ToArray();
    }

    /// <summary>A whole segment object of <see cref="Records"/> with the given compression.</summary>
    public static byte[] Segment(BackupCompression compression, bool zstdWithoutContentSize = false)
    {
        var body = Body();
        byte[] stored = compression switch
        {
            BackupCompression.None => body,
            BackupCompression.Zstd => zstdWithoutContentSize ? ZstdStreaming(body) : new Compressor(3).Wrap(body).ToArray(),
            BackupCompression.Lz4 => Lz4(body),
            _ => throw new ArgumentOutOfRangeException(nameof(compression)),
        };
        return Frame((byte)compression, 3, 100, 105, stored);
    }

    /// <summary>Header + stored body + footer, CRC computed here.</summary>
    public static byte[] Frame(byte compression, ulong count, long first, long last, byte[] stored)
    {
        var seg = new List<byte>();
        seg.AddRange("KBAK"u8.ToArray());
        seg.Add(1);
        seg.Add(compression);
        seg.Add(0); seg.Add(0);
        U64(seg, count);
        I64(seg, first);
        I64(seg, last);
        seg.AddRange(stored);
        var crc = Crc32(seg.ToArray());
        U32(seg, crc);
        seg.AddRange("BKAE"u8.ToArray());
        return seg.ToArray();
    }

    /// <summary>Recomputes the CRC footer of an edited object, so a test reaches the check behind it.</summary>
    public static byte[] Refooter(byte[] segment)
    {
        var copy = (byte[])segment.Clone();
        var crc = Crc32(copy.AsSpan(0, copy.Length - 8).ToArray());
        for (var i = 0; i < 4; i++) copy[copy.Length - 8 + i] = (byte)(crc >> (8 * i));
        return copy;
    }

    public static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }

    private static byte[] ZstdStreaming(byte[] body)
    {
        using var output = new MemoryStream();
        using (var z = new CompressionStream(output, 3, leaveOpen: true)) z.Write(body);
        return output.ToArray();
    }

    private static byte[] Lz4(byte[] body)
    {
        var packed = new byte[LZ4Codec.MaximumOutputSize(body.Length)];
        var n = LZ4Codec.Encode(body, packed, LZ4Level.L00_FAST);
        var result = new List<byte>();
        U32(result, (uint)body.Length);
        result.AddRange(packed.AsSpan(0, n).ToArray());
        return result.ToArray();
    }

    public static void U16(List<byte> b, int v) { b.Add((byte)v); b.Add((byte)(v >> 8)); }

    public static void U32(List<byte> b, uint v) { for (var i = 0; i < 4; i++) b.Add((byte)(v >> (8 * i))); }

    public static void I32(List<byte> b, int v) => U32(b, unchecked((uint)v));

    public static void U64(List<byte> b, ulong v) { for (var i = 0; i < 8; i++) b.Add((byte)(v >> (8 * i))); }

    public static void I64(List<byte> b, long v) => U64(b, unchecked((ulong)v));

    /// <summary>Text of a record for equality assertions (null and empty print differently).</summary>
    public static string Show(BackupRecord r)
    {
        static string B(byte[]? b) => b is null ? "null" : "[" + Convert.ToHexString(b) + "]";
        var sb = new StringBuilder($"{r.Offset}@{r.Timestamp} k={B(r.Key)} v={B(r.Value)}");
        foreach (var h in r.Headers) sb.Append($" {h.Key}={B(h.Value)}");
        return sb.ToString();
    }
}
