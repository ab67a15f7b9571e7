namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Kubernetes-style metadata. <see cref="Namespace"/> defaults to "default".</summary>
public sealed record ObjectMeta(string Name, string Namespace, ValueMap Labels, ValueMap Annotations)
{
    /// <summary>Namespace used when the document names none.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>Annotation whose new value re-runs a completed resource (SPEC 5).</summary>
    public const string RerunAnnotation = "kafka.oso.sh/rerun";
}
