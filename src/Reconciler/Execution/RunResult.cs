namespace KafkaRestored.Reconciler.Execution;

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
