using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>Does the work of one kind of resource (a restore, an offset reset, a rollback); one implementation per kind.</summary>
public interface IResourceRunner
{
    /// <summary>The kind this runner executes, e.g. "KafkaRestore".</summary>
    string Kind { get; }

    /// <summary>
    /// Runs one attempt. Failures a user or the infrastructure can cause come back as
    /// <see cref="RunOutcome"/> values; cancellation (deletion, deadline, shutdown) arrives through
    /// <paramref name="cancellationToken"/> and should end the attempt within seconds.
    /// </summary>
    Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken);
}
