using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// The outcome of a <see cref="RestoreEngine"/> run: what status needs (times, records per
/// topic, reason and message), per-partition verification, and the gaps to report.
/// </summary>
public sealed record RestoreResult(
    RestoreOutcome Outcome,
    string Reason,
    string Message,
    DateTimeOffset StartTime,
    DateTimeOffset CompletionTime,
    long RestoredRecords,
    long RestoredBytes,
    IReadOnlyList<TopicRestoreResult> Topics,
    IReadOnlyList<PartitionVerification> Partitions,
    IReadOnlyList<GapReport> Gaps,
    RestorePlan? Plan)
{
    /// <summary>Reason of a completed restore.</summary>
    public const string CompletedReason = "RestoreCompleted";

    /// <summary>Reason of a cancelled attempt.</summary>
    public const string CancelledReason = "Cancelled";

    /// <summary>Why a Failed attempt failed, with its retryability (its name is <see cref="Reason"/>); null unless Failed.</summary>
    public FailureReason? Failure { get; init; }

    /// <summary>
    /// The KafkaRestore-specific status fields of this attempt, as the daemon's status file and
    /// <c>restore -f</c> show them: totals only when Completed, <paramref name="lastProgress"/> otherwise.
    /// </summary>
    public KafkaRestoreStatus ToStatusDetails(RestoreProgress? lastProgress = null, string? rollbackSnapshotId = null) => new()
    {
        RestoredRecords = Outcome == RestoreOutcome.Completed ? RestoredRecords : null,
        RestoredBytes = Outcome == RestoreOutcome.Completed ? RestoredBytes : null,
        RestoredTopics = new(Topics.Select(t => new RestoredTopicStatus(t.Name, t.Records))),
        Gaps = new(Gaps.Select(g => new GapStatus(g.TargetTopic, g.Partition, g.StartOffset, g.EndOffset, g.Reason ?? "unknown"))),
        Progress = Outcome == RestoreOutcome.Completed ? null : lastProgress,
        RollbackSnapshotId = rollbackSnapshotId,
    };
}
