namespace KafkaRestored.Restore.Engine;

/// <summary>Stages of one restore attempt, in order.</summary>
public enum RestoreStage
{
    /// <summary>Reading the manifest and computing the plan.</summary>
    Planning,

    /// <summary>Checking the target cluster (reachability, topics, partition counts, emptiness).</summary>
    Preflight,

    /// <summary>Writing records.</summary>
    Restoring,

    /// <summary>Comparing written and selected records per partition.</summary>
    Verifying,

    /// <summary>Done (see the result).</summary>
    Finished,
}

/// <summary>
/// A progress snapshot, reported about twice a second while restoring and once per stage change.
/// Records count selected records confirmed in the target (including those found there on resume);
/// totals come from the manifest, so with PITR they are an upper bound.
/// </summary>
/// <param name="Stage">Current stage.</param>
/// <param name="RecordsDone">Records confirmed in the target.</param>
/// <param name="RecordsTotal">Records in the backup for the restored topics.</param>
/// <param name="BytesDone">Bytes of records handed to the producer (key, value and headers).</param>
/// <param name="BytesTotal">Uncompressed bytes in the backup for the restored topics.</param>
/// <param name="RecordsPerSecond">Rate over the last reporting interval.</param>
/// <param name="Elapsed">Time since the attempt started.</param>
/// <param name="Topics">The same numbers per target topic.</param>
public sealed record RestoreProgress(
    RestoreStage Stage,
    long RecordsDone,
    long RecordsTotal,
    long BytesDone,
    long BytesTotal,
    double RecordsPerSecond,
    TimeSpan Elapsed,
    IReadOnlyList<TopicProgress> Topics);

/// <summary>Progress of one target topic.</summary>
public sealed record TopicProgress(string Name, long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal);
