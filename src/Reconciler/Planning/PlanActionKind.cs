
namespace KafkaRestored.Reconciler.Planning;

/// <summary>What a cycle does to one resource; each row of SPEC section 5 maps onto one or two of these.</summary>
public enum PlanActionKind
{
    /// <summary>Nothing to do.</summary>
    Unchanged,

    /// <summary>A new resource: record it as Pending.</summary>
    Create,

    /// <summary>The spec changed while Pending or Failed: a new generation (attempts reset).</summary>
    NewGeneration,

    /// <summary>The rerun annotation has a new value: a new generation even after Completed.</summary>
    Rerun,

    /// <summary>Start a Pending resource now: a worker is free.</summary>
    Start,

    /// <summary>Pending, or waiting for its retry time: no worker is free, or the retry is not due.</summary>
    Wait,

    /// <summary>Would start (or retry, or resume) but spec.suspend is true: held, Ready reason Suspended.</summary>
    Suspended,

    /// <summary>Would start but a spec.dependsOn entry is not Completed yet: held, Ready reason DependencyNotReady.</summary>
    AwaitDependency,

    /// <summary>Would start but a spec.dependsOn entry Failed: held (never run), Ready reason DependencyFailed.</summary>
    DependencyFailed,

    /// <summary>A scheduled kind (KafkaBackup, KafkaRestoreDrill) with no run due: waits for its next scheduled time (Ready reason AwaitingSchedule for a drill that has not run yet).</summary>
    AwaitSchedule,

    /// <summary>Would start but a sync window of the host settings refuses it now: held, Ready reason SyncWindowClosed, until the window opens.</summary>
    AwaitWindow,

    /// <summary>Start the next attempt after a failed one (backoff elapsed).</summary>
    Retry,

    /// <summary>Running in the store but not executing (daemon restarted): continue it.</summary>
    Resume,

    /// <summary>The spec (or validity, or rerun value) changed while running: finish the running generation first.</summary>
    DeferChange,

    /// <summary>The spec changed after Completed: not re-run; a condition explains how to re-run.</summary>
    KeepCompleted,

    /// <summary>Invalid spec: Failed with reason InvalidSpec and every error's file:line:column.</summary>
    MarkInvalid,

    /// <summary>Two files define the identity: Failed with reason DuplicateResource, neither executed.</summary>
    MarkDuplicate,

    /// <summary>The host policy denies a reference: Failed with reason PolicyDenied, nothing executed (re-planned when the policy allows it).</summary>
    MarkDenied,

    /// <summary>The YAML was deleted while running: cancel, record it, remove the status file.</summary>
    Cancel,

    /// <summary>The YAML was deleted: remove the status file, keep a tombstone.</summary>
    Remove,

    /// <summary>ttlSecondsAfterFinished passed: prune checkpoints and offset maps, keep the completed marker.</summary>
    Prune,
}
