using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>Runs a KafkaOffsetReset (SPEC 3.3); a snapshot taken first lives in the state store.</summary>
public sealed class KafkaOffsetResetRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaOffsetReset;

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken) =>
        RunOutcome.Of(await OffsetWorkflow.ResetAsync((KafkaOffsetReset)resource, context.Secrets,
            new LiteDbOffsetSnapshotStore(context.Store), context.Time, cancellationToken));
}
