namespace KafkaRestored.Restore.Resources;

/// <summary>Status of a condition, as in Kubernetes' metav1.Condition.</summary>
public enum ConditionStatus
{
    /// <summary>The condition holds.</summary>
    True,

    /// <summary>The condition does not hold.</summary>
    False,

    /// <summary>Not known yet.</summary>
    Unknown,
}

/// <summary>
/// One observation about a resource, following metav1.Condition: a CamelCase <see cref="Reason"/>,
/// a human <see cref="Message"/>, and a <see cref="LastTransitionTime"/> that moves only when
/// <see cref="Status"/> flips.
/// </summary>
public sealed record Condition(
    string Type,
    ConditionStatus Status,
    string Reason,
    string Message,
    DateTimeOffset LastTransitionTime,
    long? ObservedGeneration = null);

/// <summary>Condition types this product writes.</summary>
public static class ConditionTypes
{
    /// <summary>True once the resource completed; False with the reason otherwise.</summary>
    public const string Ready = "Ready";

    /// <summary>Fields accepted but without effect outside Kubernetes (podTemplate).</summary>
    public const string IgnoredFields = "IgnoredFields";

    /// <summary>False when the spec in Git differs from the one that ran and will not be applied.</summary>
    public const string SpecApplied = "SpecApplied";
}

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
    public const string PolicyDenied = KafkaRestored.Restore.Policy.PolicyDenial.Reason;

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

    /// <summary>podTemplate was given; it has no effect outside Kubernetes.</summary>
    public const string PodTemplateIgnored = "PodTemplateIgnored";

    /// <summary>The runner threw something nobody planned for.</summary>
    public const string UnexpectedError = nameof(KafkaRestored.Restore.Failures.FailureReason.UnexpectedError);
}

/// <summary>Pure helpers that update a condition list by the metav1.Condition rules.</summary>
public static class Conditions
{
    /// <summary>
    /// Returns <paramref name="current"/> with the condition of <paramref name="type"/> set. The
    /// transition time is <paramref name="now"/> when the condition is new or its status flips, and is
    /// kept otherwise (a changed reason or message alone is not a transition). Order is kept; new
    /// conditions go last.
    /// </summary>
    public static ValueList<Condition> Set(
        ValueList<Condition> current,
        string type,
        ConditionStatus status,
        string reason,
        string message,
        DateTimeOffset now,
        long? observedGeneration = null)
    {
        var result = new List<Condition>(current.Count + 1);
        var found = false;
        foreach (var c in current)
        {
            if (c.Type != type)
            {
                result.Add(c);
                continue;
            }
            found = true;
            var transition = c.Status == status ? c.LastTransitionTime : now;
            result.Add(new Condition(type, status, reason, message, transition, observedGeneration));
        }
        if (!found) result.Add(new Condition(type, status, reason, message, now, observedGeneration));
        return new ValueList<Condition>(result);
    }

    /// <summary>Returns <paramref name="current"/> without the condition of <paramref name="type"/>.</summary>
    public static ValueList<Condition> Remove(ValueList<Condition> current, string type) =>
        current.Any(c => c.Type == type) ? new ValueList<Condition>(current.Where(c => c.Type != type)) : current;

    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static Condition? Find(IEnumerable<Condition> current, string type) =>
        current.FirstOrDefault(c => c.Type == type);
}
