namespace KafkaRestored.Restore.Backups.Kbak;

/// <summary>A format problem found while decoding a body, with its offset in that body.</summary>
internal sealed class SegmentProblem(long offset, string message) : Exception(message)
{
    public long Offset { get; } = offset;
}
