using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Reasons used in conditions and failures. CamelCase, stable: tooling may match on them.</summary>
public static class ConditionReasons
{
    /// <summary>Recorded, waiting for a worker.</summary>
    public const string Pending = "Pending";

    /// <summary>An attempt is executing.</summary>
    public const string Running = "Running";

    /// <summary>A restore finished and verified.</summary>
    public const string RestoreCompleted = "RestoreCompleted";

    /// <summary>A non-restore resource finished.</summary>
    public const string Completed = "Completed";

    /// <summary>The resource failed validation; nothing was executed.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary>Two files define the same identity; neither is executed.</summary>
    public const string DuplicateResource = "DuplicateResource";

    /// <summary>The host policy does not allow a cluster, secret, storage location, folder or target topic the resource references; nothing was executed.</summary>
    public const string PolicyDenied = PolicyDenial.Reason;

    /// <summary>An attempt ran longer than job.activeDeadlineSeconds.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>Every attempt allowed by job.backoffLimit failed.</summary>
    public const string BackoffLimitExceeded = "BackoffLimitExceeded";

    /// <summary>An attempt failed; another is scheduled.</summary>
    public const string AttemptFailed = "AttemptFailed";

    /// <summary>The resource's YAML was deleted while it ran.</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>The spec changed after completion; completed resources are not re-run.</summary>
    public const string ImmutableAfterCompletion = "ImmutableAfterCompletion";

    /// <summary>The spec changed while an attempt ran; it applies after that attempt.</summary>
    public const string SpecChangeQueued = "SpecChangeQueued";

    /// <summary>spec.suspend is true: the resource (or its next attempt) is not started until it is false; a running attempt finishes.</summary>
    public const string Suspended = "Suspended";

    /// <summary>A spec.dependsOn entry is not Completed yet (Pending, Running, or not recorded); the resource starts once it is.</summary>
    public const string DependencyNotReady = "DependencyNotReady";

    /// <summary>A spec.dependsOn entry Failed (or cannot run); the resource keeps waiting and does not start until it is Completed.</summary>
    public const string DependencyFailed = "DependencyFailed";

    /// <summary>A KafkaBackup run wrote its backup (and applied retention).</summary>
    public const string BackupCompleted = "BackupCompleted";

    /// <summary>A scheduled kind (KafkaBackup, KafkaRestoreDrill) waits for its first scheduled run.</summary>
    public const string AwaitingSchedule = "AwaitingSchedule";

    /// <summary>A sync window of the host settings refuses starting now (an active deny window, or no active allow window); the message says when it opens.</summary>
    public const string SyncWindowClosed = "SyncWindowClosed";

    /// <summary>podTemplate was given; it has no effect outside Kubernetes.</summary>
    public const string PodTemplateIgnored = "PodTemplateIgnored";

    /// <summary>The runner threw something nobody planned for.</summary>
    public const string UnexpectedError = nameof(KafkaRestored.Restore.Failures.FailureReason.UnexpectedError);
}
