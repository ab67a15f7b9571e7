namespace KafkaRestored.Restore.Resources.Status;

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
