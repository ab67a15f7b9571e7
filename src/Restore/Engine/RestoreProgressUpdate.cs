using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// A progress snapshot, reported every <see cref="RestoreTuning.ProgressInterval"/> while restoring
/// and once per stage change. <see cref="Progress"/> is the status model's own record, ready for
/// the status file: records count selected records confirmed in the target (including those
/// found there on resume); totals come from the manifest, so with PITR they are an upper bound;
/// bytes count key, value and header bytes of the records handled in this attempt.
/// </summary>
/// <param name="Stage">Current stage.</param>
/// <param name="Progress">Records and bytes done and total, overall and per target topic.</param>
/// <param name="RecordsPerSecond">Rate over the last reporting interval.</param>
/// <param name="Elapsed">Time since the attempt started.</param>
public sealed record RestoreProgressUpdate(RestoreStage Stage, RestoreProgress Progress, double RecordsPerSecond, TimeSpan Elapsed)
{
    /// <summary>Per target partition (live views only; status files keep per-topic totals); empty before the partitions are planned.</summary>
    public IReadOnlyList<PartitionProgress> Partitions { get; init; } = [];
}
