using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Maps offset results onto the status model: the kind-specific fields, the phase, and the
/// reason and message of the Ready condition. The reconciler owns times, generations and
/// condition transitions; the CLI uses the same mapping so its output matches the status files.
/// </summary>
public static class OffsetStatusMapping
{
    /// <summary>Ready reason when every group was reset.</summary>
    public const string OffsetsResetReason = "OffsetsReset";

    /// <summary>Ready reason when some group could not be reset or rolled back.</summary>
    public const string GroupsFailedReason = nameof(FailureReason.GroupsFailed);

    /// <summary>Ready reason of a verified rollback.</summary>
    public const string RolledBackReason = "OffsetsRolledBack";

    /// <summary>Ready reason of a read-back that differs from the snapshot.</summary>
    public const string VerificationFailedReason = nameof(FailureReason.OffsetVerificationFailed);

    /// <summary>Ready reason of a snapshot taken.</summary>
    public const string SnapshotTakenReason = "SnapshotTaken";

    /// <summary>A KafkaOffsetReset's status: Completed only when every group was reset and read back as computed.</summary>
    public static KafkaOffsetResetStatus ToStatus(OffsetResetResult result) => new()
    {
        Phase = result.Succeeded ? ResourcePhase.Completed : ResourcePhase.Failed,
        GroupsReset = new ValueList<string>(result.GroupsReset),
        GroupsFailed = new ValueList<GroupFailure>(result.GroupsFailed),
        SnapshotId = result.SnapshotId,
        Verification = Verification(result.Verification, result.GroupsFailed.Count, "what each strategy computed"),
        Notes = new ValueList<string>(result.Notes),
    };

    /// <summary>A KafkaRestore's offsetResetStatus.</summary>
    public static OffsetResetStatus ToRestoreStatus(OffsetResetResult result) => new(
        result.Succeeded ? ResourcePhase.Completed : ResourcePhase.Failed,
        new ValueList<string>(result.GroupsReset),
        new ValueList<GroupFailure>(result.GroupsFailed))
    {
        Verification = result.GroupsReset.Count + result.GroupsFailed.Count == 0 ? null
            : Verification(result.Verification, result.GroupsFailed.Count, "what the strategy computed"),
        Notes = new ValueList<string>(result.Notes),
    };

    /// <summary>A KafkaOffsetRollback's status, with the read-back verification of a rollback.</summary>
    public static KafkaOffsetRollbackStatus ToStatus(OffsetRollbackResult result) => new()
    {
        Phase = result.Succeeded ? ResourcePhase.Completed : ResourcePhase.Failed,
        SnapshotId = result.SnapshotId,
        GroupsRolledBack = new ValueList<string>(result.GroupsRolledBack),
        GroupsSnapshotted = new ValueList<string>(result.GroupsSnapshotted),
        GroupsFailed = new ValueList<GroupFailure>(result.GroupsFailed),
        Verification = result.Operation == RollbackOperation.Rollback
            ? Verification(result.Verification, result.GroupsFailed.Count, $"snapshot '{result.SnapshotId}'")
            : null,
        Notes = new ValueList<string>(result.Notes),
    };

    /// <summary>Reason and message of the Ready condition for a reset.</summary>
    public static (string Reason, string Message) Ready(OffsetResetResult result) => result.Succeeded
        ? (OffsetsResetReason, $"Offsets reset for {Plural.Of(result.GroupsReset.Count, "group")}" +
            (result.SnapshotId is null ? "" : $"; previous offsets in snapshot '{result.SnapshotId}'"))
        : (Failure(result).Name, $"{Plural.Of(result.GroupsFailed.Count, "group")} not reset: " +
            string.Join("; ", result.GroupsFailed.Select(f => $"{f.Group}: {f.Reason}")) +
            (result.GroupsReset.Count > 0 ? $"; reset: {string.Join(", ", result.GroupsReset)}" : ""));

    /// <summary>Reason and message of the Ready condition for a rollback or snapshot.</summary>
    public static (string Reason, string Message) Ready(OffsetRollbackResult result)
    {
        if (result.Operation == RollbackOperation.Snapshot)
            return (SnapshotTakenReason, $"Snapshot '{result.SnapshotId}' recorded the offsets of {Plural.Of(result.GroupsSnapshotted.Count, "group")}");
        if (result.Succeeded)
            return (RolledBackReason, $"Offsets of {Plural.Of(result.GroupsRolledBack.Count, "group")} returned to snapshot '{result.SnapshotId}' " +
                "and verified: read back equal to it, partitions it had no offset on included");
        return (Failure(result).Name, $"{Plural.Of(result.GroupsFailed.Count, "group")} not returned to snapshot '{result.SnapshotId}': " +
            string.Join("; ", result.GroupsFailed.Select(f => $"{f.Group}: {f.Reason}: {f.Message}")) +
            (result.GroupsRolledBack.Count > 0 ? $"; rolled back: {string.Join(", ", result.GroupsRolledBack)}" : ""));
    }

    /// <summary>Why a reset that did not succeed failed.</summary>
    public static FailureReason Failure(OffsetResetResult result) => FailureReason.GroupsFailed;

    /// <summary>Why a rollback that did not succeed failed: the groups' one common reason (by type), else GroupsFailed.</summary>
    public static FailureReason Failure(OffsetRollbackResult result) =>
        result.Failure ?? (result.Verification.Any(v => !v.Matches) ? FailureReason.OffsetVerificationFailed : FailureReason.GroupsFailed);

    /// <summary>Verified only when some group was read back, every read-back equals <paramref name="intended"/> and no group failed.</summary>
    private static OffsetVerification Verification(IReadOnlyList<GroupVerification> groups, int groupsFailed, string intended)
    {
        var mismatches = groups
            .SelectMany(v => v.Mismatches.Select(m => new OffsetMismatch(v.Group, m.Topic, m.Partition, m.Expected, m.Actual)))
            .ToList();
        var verified = groups.Count > 0 && mismatches.Count == 0 && groupsFailed == 0;
        var message = mismatches.Count > 0
            ? $"{Plural.Of(mismatches.Count, "partition")} read back differently from {intended} (no expected: there must be no committed offset; no actual: there is none)"
            : verified ? $"every committed offset read back equal to {intended}"
            : groupsFailed > 0 ? $"not verified: {Plural.Of(groupsFailed, "group")} failed before {intended} was in place (groupsFailed says why)"
            : "not verified: no group was read back";
        return new OffsetVerification(verified, message, new ValueList<OffsetMismatch>(mismatches));
    }
}
