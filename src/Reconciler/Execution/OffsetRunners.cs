using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;

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
        // The same mapping as the `offsets` CLI command, so a status file reads the same whichever ran it.
        var details = OffsetStatusMapping.ToStatus(result);
        var (reason, message) = OffsetStatusMapping.Ready(result);
        return result.Succeeded
            ? RunOutcome.Succeeded(reason, message, details)
            : RunOutcome.Failed(reason, message, details, retryable: true);
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
        var details = OffsetStatusMapping.ToStatus(result);
        var (reason, message) = OffsetStatusMapping.Ready(result);
        return result.Succeeded ? RunOutcome.Succeeded(reason, message, details) : RunOutcome.Failed(reason, message, details);
    }
}
