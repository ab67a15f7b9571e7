using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// What one run of <see cref="KafkaRestoreWorkflow"/> did: the engine's result, the rollback
/// snapshot taken, the offset reset and its notes; or the error that stopped it before anything was written.
/// </summary>
/// <param name="Result">The engine's result; null when <paramref name="SnapshotError"/> stopped the run.</param>
/// <param name="SnapshotId">The rollback snapshot's id (null when rollback is off).</param>
/// <param name="OffsetReset">The offset reset's status (null when it did not run).</param>
/// <param name="Notes">The offset reset's notes.</param>
/// <param name="SnapshotError">Why the rollback snapshot could not be taken, so nothing was restored.</param>
public sealed record KafkaRestoreRun(
    RestoreResult? Result,
    string? SnapshotId,
    OffsetResetStatus? OffsetReset,
    IReadOnlyList<string> Notes,
    KafkaRestoredException? SnapshotError)
{
    /// <summary>The engine's result of a run the snapshot did not stop.</summary>
    public RestoreResult Restore => Result ?? throw new InvalidOperationException("the rollback snapshot stopped this run: " + SnapshotError?.Message);

    /// <summary>The KafkaRestore-specific status fields, <paramref name="lastProgress"/> included when not completed.</summary>
    public KafkaRestoreStatus Details(RestoreProgress? lastProgress = null) =>
        Restore.ToStatusDetails(lastProgress, SnapshotId) with { OffsetResetStatus = OffsetReset };

    /// <summary>Reason and message of the Ready condition (a completed restore whose offset reset left groups unreset says so).</summary>
    public (string Reason, string Message) Ready() => Restore.Outcome == RestoreOutcome.Completed
        ? RestoreOffsets.CompletedCondition(Restore.Reason, Restore.Message, OffsetReset)
        : (Restore.Reason, Restore.Message);
}
