namespace KafkaRestored.Restore.Engine;

/// <summary>How an attempt ended.</summary>
public enum RestoreOutcome
{
    /// <summary>Every selected record is in the target exactly once, verified per partition.</summary>
    Completed,

    /// <summary>A user-fixable or infrastructure failure; <see cref="RestoreResult.Reason"/> says which. The state is resumable.</summary>
    Failed,

    /// <summary>The cancellation token fired; what was written is checkpointed and the next attempt resumes.</summary>
    Cancelled,
}
