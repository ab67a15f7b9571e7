namespace KafkaRestored.Restore.Resources.Model;

/// <summary>
/// podTemplate, the Kubernetes pod settings of the reference (annotations, labels, nodeSelector, tolerations).
/// Accepted and ignored outside Kubernetes (status names it); kept field by field so it round-trips.
/// </summary>
public sealed record PodTemplateSpec(ValueMap Annotations, ValueMap Labels, ValueMap NodeSelector, ValueList<Toleration> Tolerations)
{
    /// <summary>An empty <c>podTemplate: {}</c>.</summary>
    public static PodTemplateSpec Empty { get; } = new(ValueMap.Empty, ValueMap.Empty, ValueMap.Empty, ValueList<Toleration>.Empty);
}
