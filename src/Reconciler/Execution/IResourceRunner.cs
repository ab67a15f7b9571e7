using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Workflows;
using Microsoft.Extensions.Logging;

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

/// <summary>How an attempt ended.</summary>
public enum RunResult
{
    /// <summary>Done; the resource becomes Completed.</summary>
    Succeeded,

    /// <summary>Failed; retried within job.backoffLimit when <see cref="RunOutcome.Retryable"/>.</summary>
    Failed,

    /// <summary>Stopped on request before finishing.</summary>
    Cancelled,
}

/// <summary>The end of an attempt: result, CamelCase reason, message, and the kind-specific status details.</summary>
public sealed record RunOutcome(RunResult Result, string Reason, string Message, ResourceStatus? Details = null, bool Retryable = true)
{
    /// <summary>A success with its details.</summary>
    public static RunOutcome Succeeded(string reason, string message, ResourceStatus? details = null) => new(RunResult.Succeeded, reason, message, details);

    /// <summary>A failure; a reason that is not <see cref="FailureReason.Retryable"/> skips the remaining retries (e.g. a spec that can never work).</summary>
    public static RunOutcome Failed(FailureReason reason, string message, ResourceStatus? details = null) =>
        new(RunResult.Failed, reason.Name, message, details, reason.Retryable);

    /// <summary>The end of an offset reset or rollback: succeeded with its Ready reason, or failed with its failure.</summary>
    public static RunOutcome Of(OffsetWorkflowResult run) => run.Failure is { } failure
        ? Failed(failure, run.Message, run.Details)
        : Succeeded(run.Reason, run.Message, run.Details);

    /// <summary>Stopped on request.</summary>
    public static RunOutcome Cancelled(string message, ResourceStatus? details = null) =>
        new(RunResult.Cancelled, ConditionReasons.Cancelled, message, details, Retryable: false);
}

/// <summary>What a runner may use during one attempt: identity, generation, persistence, secrets, progress reporting.</summary>
public sealed class RunContext
{
    private readonly Action<ResourceStatus> _report;

    internal RunContext(ResourceId id, long generation, int attempt, string sourceRevision, StateStore store,
        SecretStore secrets, TimeProvider time, ILogger logger, Action<ResourceStatus> report)
    {
        Id = id;
        Generation = generation;
        Attempt = attempt;
        SourceRevision = sourceRevision;
        Store = store;
        RestoreState = new LiteDbRestoreStateStore(store);
        RestoreKey = LiteDbRestoreStateStore.RestoreKey(id, generation);
        Secrets = secrets;
        Time = time;
        Logger = logger;
        _report = report;
    }

    /// <summary>The resource.</summary>
    public ResourceId Id { get; }

    /// <summary>Generation being run; a new generation starts with no checkpoints.</summary>
    public long Generation { get; }

    /// <summary>1-based attempt number within the generation.</summary>
    public int Attempt { get; }

    /// <summary>The commit whose spec is being executed.</summary>
    public string SourceRevision { get; }

    /// <summary>The state store (offset snapshots live here).</summary>
    public StateStore Store { get; }

    /// <summary>Checkpoints and offset maps for the restore engine, keyed by <see cref="RestoreKey"/>.</summary>
    public IRestoreStateStore RestoreState { get; }

    /// <summary>Key of this generation's checkpoints and offset maps (stable across attempts and restarts).</summary>
    public string RestoreKey { get; }

    /// <summary>Secret files (&lt;dir&gt;/&lt;name&gt;/&lt;key&gt;).</summary>
    public SecretStore Secrets { get; }

    /// <summary>Clock for backoff and timing.</summary>
    public TimeProvider Time { get; }

    /// <summary>Logger with the resource identity in scope.</summary>
    public ILogger Logger { get; }

    /// <summary>The host policy the resource was allowed by (null: none configured); the restore engine checks internal target topics from the manifest against it.</summary>
    public HostPolicy? Policy { get; init; }

    /// <summary>Reports kind-specific status (e.g. a KafkaRestoreStatus with Progress); committed to Git throttled.</summary>
    public void Report(ResourceStatus details) => _report(details);
}
