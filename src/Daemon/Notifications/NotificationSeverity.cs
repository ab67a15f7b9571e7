using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Notifications;

/// <summary>
/// The severity of a phase change, for filters and Alertmanager's <c>severity</c> label: a resource
/// that Failed running is critical (the recovery did not happen), one the committer got wrong
/// (invalid, duplicated, denied by the policy: nothing ran) a warning, anything else info.
/// </summary>
public static class NotificationSeverity
{
    /// <summary>Started, completed, recorded.</summary>
    public const string Info = "info";

    /// <summary>Failed without running: the YAML or the policy needs a change.</summary>
    public const string Warning = "warning";

    /// <summary>Failed running.</summary>
    public const string Critical = "critical";

    /// <summary>The severity of <paramref name="change"/>.</summary>
    public static string Of(PhaseChange change) => change.To switch
    {
        ResourcePhase.Failed when change.Reason is ConditionReasons.InvalidSpec or ConditionReasons.DuplicateResource or ConditionReasons.PolicyDenied => Warning,
        ResourcePhase.Failed => Critical,
        _ => Info,
    };
}
