using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>Outcome of a KafkaOffsetRollback: groups rolled back or snapshotted, failures and the read-back verification.</summary>
public sealed record OffsetRollbackResult(
    Resources.Model.RollbackOperation Operation,
    string SnapshotId,
    IReadOnlyList<string> GroupsRolledBack,
    IReadOnlyList<string> GroupsSnapshotted,
    IReadOnlyList<GroupFailure> GroupsFailed,
    IReadOnlyList<GroupVerification> Verification,
    IReadOnlyList<string> Notes)
{
    /// <summary>True when no group failed and every read-back matched.</summary>
    public bool Succeeded => GroupsFailed.Count == 0 && Verification.All(v => v.Matches);

    /// <summary>Why the groups failed, by type: their one common reason, else GroupsFailed; null when none failed.</summary>
    public FailureReason? Failure { get; init; }
}
