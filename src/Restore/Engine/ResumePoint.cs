using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// A place reading can restart from: the first offset of a segment (long.MaxValue past the last
/// one), the number of selected records before it, and the offset-map runs of those records.
/// </summary>
internal sealed record ResumePoint(long SegmentStartOffset, long SelectedBefore, IReadOnlyList<OffsetRun> MapPrefix)
{
    public static ResumePoint Beginning { get; } = new(long.MinValue, 0, []);
}
