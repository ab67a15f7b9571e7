namespace KafkaRestored.Reconciler.Execution;

/// <summary>Counters of the loop, for health and metrics.</summary>
public sealed class ReconcilerCounters
{
    internal long CyclesValue;
    internal long SkippedValue;
    internal long FetchErrorsValue;

    /// <summary>Cycles run.</summary>
    public long Cycles => Interlocked.Read(ref CyclesValue);

    /// <summary>Cycles that found the commit unchanged and nothing due.</summary>
    public long SkippedCycles => Interlocked.Read(ref SkippedValue);

    /// <summary>Fetches of the config repository that failed.</summary>
    public long FetchErrors => Interlocked.Read(ref FetchErrorsValue);

    /// <summary>Resource blobs parsed since start.</summary>
    public long BlobsParsed { get; internal set; }

    /// <summary>Status commits pushed.</summary>
    public long StatusCommits { get; internal set; }

    /// <summary>Status publishes that failed.</summary>
    public long PushFailures { get; internal set; }

    /// <summary>Last push error (redacted), null when the last publish succeeded.</summary>
    public string? LastPushError { get; internal set; }

    /// <summary>Last fetch or cycle error (redacted), null after a good cycle.</summary>
    public string? LastError { get; internal set; }

    /// <summary>End of the last cycle that fetched and published successfully.</summary>
    public DateTimeOffset? LastSuccessfulSync { get; internal set; }

    /// <summary>End of the last cycle, successful or not (the loop is alive).</summary>
    public DateTimeOffset? LastCycleEnd { get; internal set; }

    /// <summary>Resources executing now.</summary>
    public int Running { get; internal set; }

    /// <summary>Most resources executing at once since start: a high-water mark that never exceeds maxConcurrentRestores.</summary>
    public int PeakRunning { get; internal set; }

    /// <summary>Fetches that found the branch rewritten (force-pushed) under the daemon.</summary>
    public long ForcePushes { get; internal set; }

    /// <summary>The latest rewrite found (branch, previous and new tip), or null when none since start.</summary>
    public string? LastForcePush { get; internal set; }
}
