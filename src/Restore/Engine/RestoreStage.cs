namespace KafkaRestored.Restore.Engine;

/// <summary>Stages of one restore attempt, in order.</summary>
public enum RestoreStage
{
    /// <summary>Reading the manifest and computing the plan.</summary>
    Planning,

    /// <summary>Checking the target cluster (reachability, topics, partition counts, emptiness).</summary>
    Preflight,

    /// <summary>Writing records.</summary>
    Restoring,

    /// <summary>Comparing written and selected records per partition.</summary>
    Verifying,

    /// <summary>Done (see the result).</summary>
    Finished,
}
