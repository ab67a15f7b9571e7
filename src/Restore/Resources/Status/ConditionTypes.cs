namespace KafkaRestored.Restore.Resources.Status;

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
