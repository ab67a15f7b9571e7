using System.Buffers.Binary;
using System.Text;

namespace KafkaRestored.Restore.Provenance;

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
