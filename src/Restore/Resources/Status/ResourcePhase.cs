namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Lifecycle phase of a resource (SPEC 3.1).</summary>
public enum ResourcePhase
{
    /// <summary>Recorded, not started.</summary>
    Pending,

    /// <summary>An attempt is executing (or waiting to retry).</summary>
    Running,

    /// <summary>Finished successfully; never re-run unless the rerun annotation changes.</summary>
    Completed,

    /// <summary>Finished unsuccessfully.</summary>
    Failed,
}
