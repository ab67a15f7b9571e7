namespace KafkaRestored.Restore.Resources.Model;

/// <summary>One entry of spec.dependsOn: a resource that must be Completed before this one starts (extension).</summary>
public sealed record DependencyRef(string Kind, string Name, string Namespace)
{
    /// <summary>The identity this entry names.</summary>
    public ResourceId Id => new(Kind, Namespace, Name);
}
