using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>Runs a KafkaOffsetRollback (SPEC 3.2): takes a snapshot, or re-commits one and verifies by reading back.</summary>
public sealed class KafkaOffsetRollbackRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaOffsetRollback;

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken) =>
        RunOutcome.Of(await OffsetWorkflow.RollbackAsync((KafkaOffsetRollback)resource, context.Secrets,
            new LiteDbOffsetSnapshotStore(context.Store), context.Time, cancellationToken));
}
