using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Engine;

/// <summary>How a producer session ended.</summary>
internal sealed record SessionOutcome(RestoreOutcome Outcome, FailureReason? Reason, string Message, bool Retryable)
{
    public static SessionOutcome Done { get; } = new(RestoreOutcome.Completed, null, "", false);
}
