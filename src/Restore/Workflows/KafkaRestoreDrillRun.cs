using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Workflows;

/// <summary>What one run of <see cref="KafkaRestoreDrillWorkflow"/> found: its report, and why it failed (null when it passed).</summary>
/// <param name="Report">The drill report (status/kafkarestoredrill/&lt;ns&gt;/&lt;name&gt;.yaml lists these).</param>
/// <param name="Failure">Why the drill failed; null when it passed or was cancelled.</param>
/// <param name="Cancelled">Stopped on request before it finished.</param>
public sealed record KafkaRestoreDrillRun(DrillRunStatus Report, FailureReason? Failure, bool Cancelled)
{
    /// <summary>The Ready reason of a passed drill.</summary>
    public const string PassedReason = "DrillPassed";

    /// <summary>True when every record was verified and every objective met.</summary>
    public bool Passed => Failure is null && !Cancelled;

    /// <summary>The drill's status details: this run's report before <paramref name="earlier"/> ones (newest first), at most <see cref="KafkaRestoreDrillStatus.KeptRuns"/>.</summary>
    public KafkaRestoreDrillStatus Details(IEnumerable<DrillRunStatus> earlier, DateTimeOffset? nextRun) => new()
    {
        NextRun = nextRun,
        LastRuns = new ValueList<DrillRunStatus>([Report, .. earlier.Take(KafkaRestoreDrillStatus.KeptRuns - 1)]),
    };
}
