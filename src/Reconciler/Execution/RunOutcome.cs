using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Reconciler.Execution;

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
