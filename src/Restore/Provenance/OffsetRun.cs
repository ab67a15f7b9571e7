namespace KafkaRestored.Restore.Provenance;

/// <summary>
/// A run of consecutive restored records: source offsets [SourceStart, SourceStart + Length)
/// went to target offsets [TargetStart, TargetStart + Length). A source record filtered out
/// (PITR) or missing (gap) ends a run, so a map's size grows with discontinuities, not records.
/// </summary>
public readonly record struct OffsetRun(long SourceStart, long TargetStart, long Length)
{
    /// <summary>One past the last source offset of the run.</summary>
    public long SourceEnd => SourceStart + Length;

    /// <summary>One past the last target offset of the run.</summary>
    public long TargetEnd => TargetStart + Length;
}
