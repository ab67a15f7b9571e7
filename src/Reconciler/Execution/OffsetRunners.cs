using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>Runs a KafkaOffsetReset (SPEC 3.3); a snapshot taken first lives in the state store.</summary>
public sealed class KafkaOffsetResetRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaOffsetReset;

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
    {
        var reset = (KafkaOffsetReset)resource;
        OffsetResetResult result;
        try
        {
            result = await new KafkaOffsetResetExecutor(context.Secrets, new LiteDbOffsetSnapshotStore(context.Store), context.Time)
                .ExecuteAsync(reset, cancellationToken);
        }
        catch (KafkaRestoredException e)
        {
            return RunOutcome.Failed(e.Reason, e.Message, retryable: e.Reason is not ("SnapshotExists" or "InvalidSnapshotId" or "MissingBackup"));
        }
        var details = new KafkaOffsetResetStatus
        {
            GroupsReset = new(result.GroupsReset),
            GroupsFailed = new(result.GroupsFailed),
            SnapshotId = result.SnapshotId,
        };
        if (result.Succeeded)
            return RunOutcome.Succeeded(ConditionReasons.Completed, $"Reset {result.GroupsReset.Count} consumer group(s) with strategy {reset.Spec.Strategy}.", details);
        var first = result.GroupsFailed[0];
        return RunOutcome.Failed("GroupsNotReset",
            $"{result.GroupsFailed.Count} group(s) not reset, their offsets untouched; first: {first.Group} ({first.Reason}: {first.Message})", details,
            retryable: true);
    }
}

/// <summary>Runs a KafkaOffsetRollback (SPEC 3.2): takes a snapshot, or re-commits one and verifies by reading back.</summary>
public sealed class KafkaOffsetRollbackRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaOffsetRollback;

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
    {
        var rollback = (KafkaOffsetRollback)resource;
        OffsetRollbackResult result;
        try
        {
            result = await new KafkaOffsetRollbackExecutor(context.Secrets, new LiteDbOffsetSnapshotStore(context.Store), context.Time)
                .ExecuteAsync(rollback, cancellationToken);
        }
        catch (KafkaRestoredException e)
        {
            return RunOutcome.Failed(e.Reason, e.Message, retryable: e.Reason is not ("SnapshotExists" or "SnapshotNotFound" or "InvalidSnapshotId"));
        }
        var mismatches = result.Verification.SelectMany(v => v.Mismatches.Select(m => new OffsetMismatch(v.Group, m.Topic, m.Partition, m.Expected, m.Actual))).ToList();
        var details = new KafkaOffsetRollbackStatus
        {
            SnapshotId = result.SnapshotId,
            GroupsRolledBack = new(result.GroupsRolledBack),
            GroupsSnapshotted = new(result.GroupsSnapshotted),
            GroupsFailed = new(result.GroupsFailed),
            Verification = result.Operation == RollbackOperation.Rollback
                ? new OffsetVerification(mismatches.Count == 0,
                    mismatches.Count == 0 ? "Every committed offset read back as in the snapshot." : $"{mismatches.Count} partition(s) read back differently from the snapshot.",
                    new(mismatches))
                : null,
        };
        if (result.Succeeded)
        {
            var done = result.Operation == RollbackOperation.Snapshot
                ? $"Snapshot {result.SnapshotId} recorded for {result.GroupsSnapshotted.Count} group(s)."
                : $"Rolled back {result.GroupsRolledBack.Count} group(s) to snapshot {result.SnapshotId}, verified by reading back.";
            return RunOutcome.Succeeded(ConditionReasons.Completed, done, details);
        }
        var reason = result.GroupsFailed.Count > 0 ? "GroupsNotRolledBack" : "VerificationFailed";
        var message = result.GroupsFailed.Count > 0
            ? $"{result.GroupsFailed.Count} group(s) not rolled back; first: {result.GroupsFailed[0].Group} ({result.GroupsFailed[0].Reason}: {result.GroupsFailed[0].Message})"
            : details.Verification!.Message;
        return RunOutcome.Failed(reason, message, details);
    }
}
