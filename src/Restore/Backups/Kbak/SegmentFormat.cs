using System.Buffers.Binary;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>Constants and small encoders of the KBAK v1 segment layout (SPEC 6); all integers little-endian.</summary>
public static class SegmentFormat
{
    /// <summary>Header size in bytes.</summary>
    public const int HeaderSize = 32;

    /// <summary>Footer size in bytes: u32 CRC-32 then "BKAE".</summary>
    public const int FooterSize = 8;

    /// <summary>The only version this code reads and writes.</summary>
    public const byte Version = 1;

    /// <summary>Fixed part of a record after its u32 length: timestamp, offset, key length, value length, header count.</summary>
    public const int RecordFixedSize = 8 + 8 + 4 + 4 + 2;

    /// <summary>Largest record (after its length prefix) accepted; a larger length is treated as corruption.</summary>
    public const int MaxRecordSize = 256 * 1024 * 1024;

    /// <summary>"KBAK", first four bytes of a segment.</summary>
    public static ReadOnlySpan<byte> HeaderMagic => "KBAK"u8;

    /// <summary>"BKAE", last four bytes of a segment.</summary>
    public static ReadOnlySpan<byte> FooterMagic => "BKAE"u8;

    /// <summary>Writes the 32-byte header.</summary>
    public static void WriteHeader(Span<byte> dest, BackupCompression compression, long recordCount, long firstOffset, long lastOffset)
    {
        HeaderMagic.CopyTo(dest);
        dest[4] = Version;
        dest[5] = (byte)compression;
        dest[6] = 0;
        dest[7] = 0;
        BinaryPrimitives.WriteUInt64LittleEndian(dest[8..], (ulong)recordCount);
        BinaryPrimitives.WriteInt64LittleEndian(dest[16..], firstOffset);
        BinaryPrimitives.WriteInt64LittleEndian(dest[24..], lastOffset);
    }

    /// <summary>Size of a record on disk, length prefix included.</summary>
    public static long EncodedSize(BackupRecord record)
    {
        long size = 4 + RecordFixedSize + (record.Key?.Length ?? 0) + (record.Value?.Length ?? 0);
        foreach (var h in record.Headers)
            size += 2 + System.Text.Encoding.UTF8.GetByteCount(h.Key) + 4 + (h.Value?.Length ?? 0);
        return size;
    }

    /// <summary>Encodes one record (length prefix included) into a stream.</summary>
    public static void WriteRecord(Stream dest, BackupRecord record)
    {
        if (record.Headers.Count > ushort.MaxValue)
            throw new ArgumentException($"record at offset {record.Offset} has {record.Headers.Count} headers; the format allows at most {ushort.MaxValue}");
        var size = EncodedSize(record);
        if (size - 4 > MaxRecordSize)
            throw new ArgumentException($"record at offset {record.Offset} is {size} bytes; the format reader accepts at most {MaxRecordSize}");
        Span<byte> fixedPart = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, (uint)(size - 4));
        dest.Write(fixedPart[..4]);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart, record.Timestamp);
        dest.Write(fixedPart);
        BinaryPrimitives.WriteInt64LittleEndian(fixedPart, record.Offset);
        dest.Write(fixedPart);
        WriteBytes(dest, record.Key);
        WriteBytes(dest, record.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)record.Headers.Count);
        dest.Write(fixedPart[..2]);
        foreach (var h in record.Headers)
        {
            var keyBytes = System.Text.Encoding.UTF8.GetBytes(h.Key);
            if (keyBytes.Length > ushort.MaxValue)
                throw new ArgumentException($"record at offset {record.Offset} has a header key of {keyBytes.Length} bytes; the format allows at most {ushort.MaxValue}");
            BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)keyBytes.Length);
            dest.Write(fixedPart[..2]);
            dest.Write(keyBytes);
            WriteBytes(dest, h.Value);
        }
    }

    private static void WriteBytes(Stream dest, byte[]? bytes)
    {
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, bytes is null ? -1 : bytes.Length);
        dest.Write(len);
        if (bytes is not null) dest.Write(bytes);
    }
}
