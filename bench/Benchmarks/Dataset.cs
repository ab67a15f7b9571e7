using Confluent.Kafka;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace KafkaRestored.Benchmarks;

/// <summary>
/// The benchmark's records: 20-byte keys, 200-byte values, three headers on every third record,
/// spread round-robin over partitions. Deterministic, so every contender sends the same bytes.
/// </summary>
public sealed class Dataset(long records, int partitions)
{
    /// <summary>Number of records.</summary>
    public long Records { get; } = records;

    /// <summary>Number of partitions they are spread over.</summary>
    public int Partitions { get; } = partitions;

    /// <summary>Payload bytes (keys + values + header keys and values) of the whole set.</summary>
    public long PayloadBytes { get; } = (records * 220) + ((records + 2) / 3 * 3 * (8 + 16));

    /// <summary>Fills <paramref name="key"/> (20 bytes) and <paramref name="value"/> (200 bytes) for record <paramref name="i"/>.</summary>
    public static void Fill(long i, byte[] key, byte[] value)
    {
        var s = i.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);
        for (var k = 0; k < 20; k++) key[k] = (byte)s[k];
        var x = (ulong)i * 0x9E3779B97F4A7C15UL;
        for (var k = 0; k < value.Length; k++)
        {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            value[k] = (byte)('a' + (x % 26));
        }
    }

    /// <summary>Headers of record <paramref name="i"/>: three on every third record, else none.</summary>
    public static Headers? HeadersFor(long i)
    {
        if (i % 3 != 0) return null;
        var h = new Headers();
        var v = BitConverter.GetBytes(i);
        h.Add("trace-id", [.. v, .. v]);
        h.Add("tenant-x", [.. v, .. v]);
        h.Add("schema-v", [.. v, .. v]);
        return h;
    }

    /// <summary>Names of the three headers every third record carries.</summary>
    public static readonly IReadOnlyList<string> HeaderNames = ["trace-id", "tenant-x", "schema-v"];

    /// <summary>Bytes of each header value.</summary>
    public const int HeaderValueBytes = 16;

    /// <summary>True when record <paramref name="i"/> carries headers.</summary>
    public static bool HasHeaders(long i) => i % 3 == 0;

    /// <summary>Writes the value each header of record <paramref name="i"/> carries (the bytes <see cref="HeadersFor"/> gives, without allocating).</summary>
    public static void HeaderValue(long i, Span<byte> value)
    {
        BitConverter.TryWriteBytes(value, i);
        BitConverter.TryWriteBytes(value[8..], i);
    }

    /// <summary>Source timestamp of record <paramref name="i"/> (one millisecond apart).</summary>
    public static long TimestampFor(long i) => 1_733_054_400_000L + i;
}
