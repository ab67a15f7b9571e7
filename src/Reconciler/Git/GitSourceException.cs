namespace KafkaRestored.Reconciler.Git;

/// <summary>A Git operation failed; the message is already free of credentials.</summary>
public sealed class GitSourceException(string reason, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>CamelCase reason: FetchFailed, FetchTimedOut, BranchNotFound, PushRejected, PushFailed...</summary>
    public string Reason { get; } = reason;
}
