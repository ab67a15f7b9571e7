using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// Runs the offset kinds through <see cref="OffsetWorkflow"/>: a KafkaOffsetReset (SPEC 3.3) or a
/// KafkaOffsetRollback (SPEC 3.2); snapshots taken on the way live in the state store.
/// </summary>
public sealed class OffsetRunner : IResourceRunner
{
    private OffsetRunner(string kind) => Kind = kind;

    /// <summary>The runner of KafkaOffsetReset.</summary>
    public static OffsetRunner Reset { get; } = new(ResourceKinds.KafkaOffsetReset);

    /// <summary>The runner of KafkaOffsetRollback.</summary>
    public static OffsetRunner Rollback { get; } = new(ResourceKinds.KafkaOffsetRollback);

    /// <inheritdoc />
    public string Kind { get; }

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
    {
        var snapshots = context.Snapshots;
        return RunOutcome.Of(resource switch
        {
            KafkaOffsetReset reset => await OffsetWorkflow.ResetAsync(reset, context.Secrets, snapshots, context.Time, cancellationToken),
            KafkaOffsetRollback rollback => await OffsetWorkflow.RollbackAsync(rollback, context.Secrets, snapshots, context.Time, cancellationToken),
            _ => throw new ArgumentException($"{resource.Id} is not an offset resource; this runner executes {Kind}", nameof(resource)),
        });
    }
}
