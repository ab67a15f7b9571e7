using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Status of a KafkaRestoreDrill: the drill report of its last runs, newest first.</summary>
public sealed record KafkaRestoreDrillStatus : ResourceStatus
{
    /// <summary>How many runs <see cref="LastRuns"/> keeps.</summary>
    public const int KeptRuns = 10;

    /// <summary>When the next scheduled run is due (UTC).</summary>
    public DateTimeOffset? NextRun { get; init; }

    /// <summary>The last runs' reports, newest first, at most <see cref="KeptRuns"/>.</summary>
    public ValueList<DrillRunStatus> LastRuns { get; init; } = ValueList<DrillRunStatus>.Empty;
}
