using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Storage;
using ZstdSharp;

namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// Reads KBAK v1 segment objects (SPEC 6) as a stream of records. The object is read once, front
/// to back, with a running CRC; records are decoded lazily, so memory stays bounded whatever the
/// segment size. The CRC and the record count are checked when the last record has been read:
/// a consumer must treat a segment's records as confirmed only once enumeration completes.
/// </summary>
public static class SegmentReader
{
    /// <summary>Streams the records of the segment <paramref name="key"/> in stored order.</summary>
    /// <exception cref="CorruptSegmentException">The object does not follow the format.</exception>
    /// <exception cref="BackupObjectNotFoundException">The object does not exist.</exception>
    public static IAsyncEnumerable<BackupRecord> ReadAsync(IBackupStorage storage, string key, CancellationToken ct) =>
        ReadAsync(storage, key, SegmentFormat.MaxRecordSize, ct);

    /// <summary>
    /// Streams the records of <paramref name="key"/>, refusing (reason RecordTooLarge) a record longer
    /// than <paramref name="maxRecordBytes"/> when its length is read, before any of its bytes are
    /// decompressed; a zstd frame may not ask for a window larger than that either (at least 8 MiB).
    /// </summary>
    /// <exception cref="CorruptSegmentException">The object does not follow the format.</exception>
    /// <exception cref="KafkaRestoredException">Reason RecordTooLarge: a record is longer than <paramref name="maxRecordBytes"/>.</exception>
    public static async IAsyncEnumerable<BackupRecord> ReadAsync(IBackupStorage storage, string key, int maxRecordBytes,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = await storage.OpenReadAsync(key, ct);
        await using var session = new ReadSession(storage, key, stream, maxRecordBytes);
        await session.StartAsync(ct);
        while (await session.NextAsync(ct) is { } record) yield return record;
    }

    /// <summary>
    /// Streams the records of <paramref name="key"/> as chunks from <paramref name="pool"/>, each full
    /// (<see cref="RecordChunk.Full"/>, or the next record would not fit) except the last, which may be empty: every
    /// segment yields at least one chunk. A yielded chunk is the caller's to return to the pool; the records of a
    /// segment are confirmed only once enumeration completes, as with <see cref="ReadAsync(IBackupStorage, string, int, CancellationToken)"/>.
    /// </summary>
    internal static async IAsyncEnumerable<RecordChunk> ReadChunksAsync(IBackupStorage storage, string key, int maxRecordBytes,
        RecordChunkPool pool, int segmentIndex, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var stream = await storage.OpenReadAsync(key, ct);
        await using var session = new ReadSession(storage, key, stream, maxRecordBytes);
        await session.StartAsync(ct);
        var chunk = pool.Rent(segmentIndex);
        try
        {
            while (!await session.FillAsync(chunk, ct))
            {
                var full = chunk;
                chunk = null;
                yield return full;
                chunk = pool.Rent(segmentIndex);
            }
            var last = chunk;
            chunk = null;
            yield return last;
        }
        finally
        {
            // Failed, or the caller stopped early: the chunk being filled goes back.
            if (chunk is not null) pool.Return(chunk);
        }
    }

    /// <summary>Reads a whole segment, checking everything, and returns what it holds.</summary>
    /// <exception cref="CorruptSegmentException">The object does not follow the format.</exception>
    public static Task<SegmentSummary> VerifyAsync(IBackupStorage storage, string key, CancellationToken ct) =>
        VerifyAsync(storage, key, SegmentFormat.MaxRecordSize, ct);

    /// <summary>
    /// As <see cref="VerifyAsync(IBackupStorage, string, CancellationToken)"/> with the record limit of
    /// <see cref="ReadAsync(IBackupStorage, string, int, CancellationToken)"/>. Record bytes are
    /// checked in place and never kept, so memory stays at one buffer whatever the segment holds.
    /// </summary>
    public static async Task<SegmentSummary> VerifyAsync(IBackupStorage storage, string key, int maxRecordBytes, CancellationToken ct)
    {
        await using var stream = await storage.OpenReadAsync(key, ct);
        await using var session = new ReadSession(storage, key, stream, maxRecordBytes, keepBytes: false);
        await session.StartAsync(ct);
        long count = 0, firstTs = 0, lastTs = 0;
        while (await session.NextAsync(ct) is { } r)
        {
            if (count == 0) firstTs = r.Timestamp;
            lastTs = r.Timestamp;
            count++;
        }
        return new SegmentSummary(session.Compression, count, session.FirstOffset, session.LastOffset, firstTs, lastTs,
            session.BodyBytes, session.ObjectBytes);
    }

    /// <summary>
    /// zstd's window log for a record limit: the decoder's window may be as large as one record
    /// (at least 8 MiB, which every level up to 19 fits; at most zstd's own default limit, 128 MiB).
    /// </summary>
    internal static int ZstdWindowLog(int maxRecordBytes) =>
        Math.Clamp(64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)Math.Max(1, maxRecordBytes - 1)), 23, 27);

    private sealed class ReadSession(IBackupStorage storage, string key, Stream source, int maxRecordBytes, bool keepBytes = true) : IAsyncDisposable
    {
        private readonly FooterHoldbackStream _raw = new(source);
        private Stream _body = Stream.Null;
        private RecordBodyReader _records = null!;
        private long _bodyBase;
        private long _expected;
        private long _read;
        private long _previousOffset = long.MinValue;
        private bool _done;

        public BackupCompression Compression { get; private set; }
        public long FirstOffset { get; private set; }
        public long LastOffset { get; private set; }
        public long BodyBytes => _records.Position;
        public long ObjectBytes => _raw.Delivered + _raw.Footer.Length;

        public async Task StartAsync(CancellationToken ct)
        {
            var header = new byte[SegmentFormat.HeaderSize];
            var got = await ReadFullyAsync(_raw, header, ct);
            if (got < header.Length)
                throw Corrupt(got, $"object ends after {got + _raw.Footer.Length} bytes, before the end of the 32-byte header and 8-byte footer (truncated)");
            if (!header.AsSpan(0, 4).SequenceEqual(SegmentFormat.HeaderMagic))
                throw Corrupt(0, $"wrong magic 0x{Convert.ToHexString(header, 0, 4)} (expected \"KBAK\"); this is not a kafka-backup segment");
            if (header[4] != SegmentFormat.Version)
                throw Corrupt(4, $"unsupported segment version {header[4]} (only version 1 is known)");
            if (header[5] > 2)
                throw Corrupt(5, $"unknown compression byte {header[5]} (0 none, 1 zstd, 2 lz4)");
            Compression = (BackupCompression)header[5];
            var count = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(8));
            if (count > long.MaxValue) throw Corrupt(8, $"record count {count} is impossible");
            _expected = (long)count;
            FirstOffset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
            LastOffset = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
            switch (Compression)
            {
                case BackupCompression.None:
                    _body = _raw;
                    _bodyBase = SegmentFormat.HeaderSize;
                    break;
                case BackupCompression.Zstd:
                    var zstd = new DecompressionStream(_raw, checkEndOfStream: true, leaveOpen: true);
                    // A frame asking for a bigger window fails at its header instead of allocating it.
                    zstd.SetParameter(ZstdSharp.Unsafe.ZSTD_dParameter.ZSTD_d_windowLogMax, ZstdWindowLog(maxRecordBytes));
                    _body = zstd;
                    break;
                case BackupCompression.Lz4:
                    var prefix = new byte[4];
                    var n = await ReadFullyAsync(_raw, prefix, ct);
                    if (n < 4) throw Corrupt(SegmentFormat.HeaderSize + n, "object ends inside the LZ4 length prefix (truncated)");
                    _body = new Lz4BlockDecoderStream(_raw, BinaryPrimitives.ReadUInt32LittleEndian(prefix));
                    break;
            }
            _records = new RecordBodyReader(_body, maxRecordBytes, keepBytes);
        }

        public async ValueTask<BackupRecord?> NextAsync(CancellationToken ct)
        {
            if (_done) return null;
            try
            {
                var record = await _records.ReadAsync(ct);
                if (record is null)
                {
                    await FinishAsync(ct);
                    return null;
                }
                Check(record.Offset);
                return record;
            }
            catch (Exception e) when (Translate(e) is { } translated)
            {
                throw translated;
            }
        }

        /// <summary>
        /// Reads records into <paramref name="chunk"/>, with the same checks as <see cref="NextAsync"/>, until it is
        /// full or the next record does not fit (false) or the body ends and the segment checks out (true).
        /// </summary>
        public async ValueTask<bool> FillAsync(RecordChunk chunk, CancellationToken ct)
        {
            if (_done) return true;
            try
            {
                while (true)
                {
                    if (!_records.TryReadBuffered(chunk, out var read)) read = await _records.ReadIntoAsync(chunk, ct);
                    if (read == ChunkRead.End)
                    {
                        await FinishAsync(ct);
                        return true;
                    }
                    if (read == ChunkRead.Full) return false;
                    Check(chunk[chunk.Count - 1].Offset);
                    if (chunk.Full) return false;
                }
            }
            catch (Exception e) when (Translate(e) is { } translated)
            {
                throw translated;
            }
        }

        private void Check(long offset)
        {
            _read++;
            if (_read > _expected)
                throw new SegmentProblem(_records.Position, $"body holds more records than the {_expected} the header announces");
            if (offset <= _previousOffset)
                throw new SegmentProblem(_records.Position, $"record offset {offset} does not follow {_previousOffset} (offsets must increase)");
            if (offset < FirstOffset || offset > LastOffset)
                throw new SegmentProblem(_records.Position, $"record offset {offset} is outside the header's range {FirstOffset}..{LastOffset}");
            _previousOffset = offset;
        }

        // The exception a reading problem is reported as; null for one that passes through unchanged.
        private Exception? Translate(Exception e)
        {
            switch (e)
            {
                case SegmentProblem p:
                    return BodyCorrupt(p.Offset, p.Message, p);
                case RecordOverLimit o:
                    var where = Compression == BackupCompression.None
                        ? $"byte offset {_bodyBase + o.Offset}"
                        : $"offset {o.Offset} of the decompressed {Compression.ManifestName()} body";
                    return new KafkaRestoredException(FailureReason.RecordTooLarge,
                        $"backup segment {storage.Describe(key)} holds a record of {o.Length} bytes at {where}, more than the {o.Limit} bytes the restore's memory budget allows for one record (memory / 4 / workers, at least 1 MiB); it was not decompressed. If the record is genuine, raise spec.resources.limits.memory (or lower spec.resources.limits.cpu); a backup of unexpected records this large may be hostile.", o);
                case ZstdException or InvalidDataException or EndOfStreamException:
                    return Corrupt(_raw.Delivered, $"{Compression.ManifestName()} body cannot be decompressed: {e.Message}", e);
                default:
                    return null;
            }
        }

        private async Task FinishAsync(CancellationToken ct)
        {
            _done = true;
            if (_read != _expected)
                throw BodyCorrupt(_records.Position, $"header announces {_expected} records but the body ends after {_read} (truncated or wrong count)");
            var before = _raw.Delivered;
            await _raw.DrainAsync(ct);
            if (_raw.Delivered != before)
                throw Corrupt(before, $"{_raw.Delivered - before} unexpected bytes after the {Compression.ManifestName()} body");
            var footerAt = _raw.Delivered;
            var footer = _raw.Footer;
            if (footer.Length < SegmentFormat.FooterSize)
                throw Corrupt(footerAt + footer.Length, $"object ends inside the 8-byte footer (truncated)");
            if (!footer[4..].SequenceEqual(SegmentFormat.FooterMagic))
                throw Corrupt(footerAt + 4, $"wrong footer magic 0x{Convert.ToHexString(footer[4..])} (expected \"BKAE\"); the object is truncated or damaged");
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(footer);
            var computed = _raw.Crc;
            if (stored != computed)
                throw Corrupt(footerAt, $"CRC-32 mismatch: footer says 0x{stored:x8}, the {footerAt} bytes before it give 0x{computed:x8}");
        }

        public async ValueTask DisposeAsync()
        {
            if (!ReferenceEquals(_body, _raw)) await _body.DisposeAsync();
            await _raw.DisposeAsync();
        }

        private CorruptSegmentException BodyCorrupt(long bodyOffset, string problem, Exception? inner = null) =>
            Compression == BackupCompression.None
                ? Corrupt(_bodyBase + bodyOffset, problem, inner)
                : new CorruptSegmentException(key, storage.Describe(key), bodyOffset,
                    $"{problem} (offset {bodyOffset} of the decompressed {Compression.ManifestName()} body)", inner);

        private CorruptSegmentException Corrupt(long objectOffset, string problem, Exception? inner = null) =>
            new(key, storage.Describe(key), objectOffset, problem, inner);

        private static async Task<int> ReadFullyAsync(Stream s, byte[] buffer, CancellationToken ct)
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = await s.ReadAsync(buffer.AsMemory(total), ct);
                if (n == 0) break;
                total += n;
            }
            return total;
        }
    }
}
