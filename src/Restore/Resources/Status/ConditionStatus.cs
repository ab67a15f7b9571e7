namespace KafkaRestored.Restore.Resources.Status;

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
