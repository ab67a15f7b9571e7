using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>
/// A segment object that does not follow SPEC 6 (wrong magic, version, compression, CRC,
/// truncation, impossible lengths, record count mismatch): reason "CorruptSegment".
/// </summary>
public sealed class CorruptSegmentException : KafkaRestoredException
{
    /// <summary>Creates the error for the object <paramref name="key"/> at <paramref name="location"/>.</summary>
    public CorruptSegmentException(string key, string location, long byteOffset, string problem, Exception? inner = null)
        : base(FailureReason.CorruptSegment,
            $"backup segment {location} is corrupt at byte offset {byteOffset}: {problem}. Restore from another backup or re-run the backup; the segment cannot be trusted.",
            inner)
    {
        Key = key;
        ByteOffset = byteOffset;
        Problem = problem;
    }

    /// <summary>Object key relative to the storage root.</summary>
    public string Key { get; }

    /// <summary>
    /// Byte offset of the problem. For header, frame, CRC and footer problems and for records of
    /// uncompressed segments it is the offset in the object; for records inside a compressed body
    /// the message says it is the offset in the decompressed body.
    /// </summary>
    public long ByteOffset { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Problem { get; }
}
