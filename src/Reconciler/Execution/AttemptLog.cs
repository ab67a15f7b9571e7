using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// Logs how each attempt ended, at a level an operator can filter on (`journalctl -p warning`):
/// Information for a success or a requested stop (deletion, shutdown), Warning for a failed attempt
/// that will be retried, Error for a resource that ends Failed; and the planner's verdicts that fail
/// a resource without running it (invalid, denied, duplicated) as errors too.
/// </summary>
internal static class AttemptLog
{
    /// <summary>Logs the end of the attempt <paramref name="completion"/> reports; <paramref name="next"/> is the record it made (null: nothing changed).</summary>
    public static void Ended(ILogger logger, ResourceRecord rec, RunCompletion completion, ResourceRecord? next)
    {
        var outcome = completion.Outcome;
        if (completion.CancelledByDeletion || rec.Tombstone)
        {
            logger.LogInformation("{Resource}: attempt {Attempt} stopped because its YAML was deleted", rec.Id, rec.Attempts);
            return;
        }
        if (next is null) return;
        var ready = Conditions.Find(next.Status.Conditions, ConditionTypes.Ready);
        var reason = ready?.Reason ?? outcome.Reason;
        var message = ready?.Message ?? outcome.Message;
        switch (next.Phase)
        {
            case ResourcePhase.Completed:
                logger.LogInformation("{Resource} completed: {Reason}: {Message}", rec.Id, reason, message);
                break;
            case ResourcePhase.Failed:
                logger.LogError("{Resource} failed: {Reason}: {Message}", rec.Id, reason, message);
                break;
            case ResourcePhase.Running when next.NextAttemptAt is not null:
                logger.LogWarning("{Resource}: {Message}", rec.Id, message);
                break;
            default:
                logger.LogInformation("{Resource}: attempt {Attempt} stopped by the daemon's shutdown ({Outcome}); it resumes on the next start",
                    rec.Id, rec.Attempts, outcome.Result);
                break;
        }
    }

    /// <summary>The level of a planned action in the daemon log: Error for the verdicts that fail a resource without running it.</summary>
    public static LogLevel LevelOf(PlanActionKind kind) =>
        kind is PlanActionKind.MarkInvalid or PlanActionKind.MarkDenied or PlanActionKind.MarkDuplicate ? LogLevel.Error : LogLevel.Information;
}
