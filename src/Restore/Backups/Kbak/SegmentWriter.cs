using System.Buffers.Binary;
using System.IO.Hashing;
using K4os.Compression.LZ4;
using KafkaRestored.Restore.Storage;
using ZstdSharp;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// Builds one KBAK v1 segment (SPEC 6). Records are spooled uncompressed to a temporary file, so
/// memory stays small while a segment fills; <see cref="CompleteAsync"/> compresses, frames and
/// stores it. For lz4 the block codec needs the whole body in memory at completion (one segment).
/// </summary>
public sealed class SegmentWriter : IDisposable
{
    private const int DefaultZstdLevel = 3;
    private readonly FileStream _body;
    private long _firstTimestamp;
    private long _lastTimestamp;

    /// <summary>Starts an empty segment; temporary files go to <paramref name="tempDirectory"/> (default: the system temp folder).</summary>
    public SegmentWriter(BackupCompression compression, string? tempDirectory = null, int? level = null)
    {
        Compression = compression;
        Level = level;
        _body = OpenTemp(tempDirectory);
        TempDirectory = tempDirectory;
    }

    /// <summary>The compression of the body.</summary>
    public BackupCompression Compression { get; }

    /// <summary>zstd level 1-22 (default 3) or LZ4 level 0-12 (default 0, the fast codec); readers need not know it.</summary>
    public int? Level { get; }

    private string? TempDirectory { get; }

    /// <summary>Records appended so far.</summary>
    public long RecordCount { get; private set; }

    /// <summary>Offset of the first record (valid once a record was appended).</summary>
    public long FirstOffset { get; private set; }

    /// <summary>Offset of the last record.</summary>
    public long LastOffset { get; private set; }

    /// <summary>Encoded body size so far, before compression.</summary>
    public long UncompressedSize => _body.Length;

    /// <summary>Appends a record; offsets must increase.</summary>
    public void Append(BackupRecord record)
    {
        if (RecordCount > 0 && record.Offset <= LastOffset)
            throw new ArgumentException($"record offset {record.Offset} does not follow {LastOffset}; records of a segment must arrive in increasing offset order", nameof(record));
        SegmentFormat.WriteRecord(_body, record);
        if (RecordCount == 0)
        {
            FirstOffset = record.Offset;
            _firstTimestamp = record.Timestamp;
        }
        LastOffset = record.Offset;
        _lastTimestamp = record.Timestamp;
        RecordCount++;
    }

    /// <summary>Writes the segment object to <paramref name="storage"/> under <paramref name="key"/> and describes it.</summary>
    public async Task<SegmentInfo> CompleteAsync(IBackupStorage storage, string key, CancellationToken ct)
    {
        using var segment = OpenTemp(TempDirectory);
        await WriteToAsync(segment, ct);
        segment.Position = 0;
        await storage.WriteAsync(key, segment, ct);
        return new SegmentInfo(key, FirstOffset, LastOffset, _firstTimestamp, _lastTimestamp, RecordCount, _body.Length, segment.Length);
    }

    /// <summary>Writes the complete segment object (header, body, footer) to <paramref name="output"/>.</summary>
    public async Task WriteToAsync(Stream output, CancellationToken ct)
    {
        var crcOutput = new CrcWriteStream(output);
        var header = new byte[SegmentFormat.HeaderSize];
        SegmentFormat.WriteHeader(header, Compression, RecordCount, RecordCount == 0 ? 0 : FirstOffset, RecordCount == 0 ? 0 : LastOffset);
        await crcOutput.WriteAsync(header, ct);
        await _body.FlushAsync(ct);
        _body.Position = 0;
        switch (Compression)
        {
            case BackupCompression.None:
                await _body.CopyToAsync(crcOutput, 1 << 16, ct);
                break;
            case BackupCompression.Zstd:
                await using (var zstd = new CompressionStream(crcOutput, Level ?? DefaultZstdLevel, leaveOpen: true))
                    await _body.CopyToAsync(zstd, 1 << 16, ct);
                break;
            case BackupCompression.Lz4:
                if (_body.Length > int.MaxValue - 1024)
                    throw new InvalidOperationException($"an lz4 segment body of {_body.Length} bytes exceeds what one LZ4 block can hold; rotate segments earlier");
                var plain = new byte[_body.Length];
                _body.ReadExactly(plain);
                var packed = new byte[LZ4Codec.MaximumOutputSize(plain.Length)];
                var packedLength = plain.Length == 0 ? 0 : LZ4Codec.Encode(plain, packed, (LZ4Level)(Level ?? (int)LZ4Level.L00_FAST));
                if (packedLength < 0) throw new InvalidOperationException("LZ4 encoding failed");
                var prefix = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)plain.Length);
                await crcOutput.WriteAsync(prefix, ct);
                await crcOutput.WriteAsync(packed.AsMemory(0, packedLength), ct);
                break;
        }
        _body.Position = _body.Length;
        var footer = new byte[SegmentFormat.FooterSize];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, crcOutput.Crc);
        SegmentFormat.FooterMagic.CopyTo(footer.AsSpan(4));
        await output.WriteAsync(footer, ct);
        await output.FlushAsync(ct);
    }

    /// <summary>Encodes records into a complete segment object in memory (small segments, tests).</summary>
    public static async Task<byte[]> EncodeAsync(IEnumerable<BackupRecord> records, BackupCompression compression, CancellationToken ct)
    {
        using var writer = new SegmentWriter(compression);
        foreach (var r in records) writer.Append(r);
        using var output = new MemoryStream();
        await writer.WriteToAsync(output, ct);
        return output.ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _body.Dispose();

    private static FileStream OpenTemp(string? directory)
    {
        var dir = directory ?? Path.GetTempPath();
        Directory.CreateDirectory(dir);
        return new FileStream(Path.Combine(dir, $"kr-segment-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
    }

    // Passes writes through and keeps a CRC-32 of them.
    private sealed class CrcWriteStream(Stream inner) : Stream
    {
        private readonly Crc32 _crc = new();

        public uint Crc => _crc.GetCurrentHashAsUInt32();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _crc.Append(buffer);
            inner.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _crc.Append(buffer.Span);
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
