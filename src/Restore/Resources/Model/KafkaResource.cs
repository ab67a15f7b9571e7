namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A validated resource of one of the kinds in <see cref="ResourceKinds"/>.</summary>
public abstract record KafkaResource(ObjectMeta Metadata)
{
    /// <summary>The resource's kind, e.g. "KafkaRestore".</summary>
    public abstract string Kind { get; }

    /// <summary>(kind, namespace, name).</summary>
    public ResourceId Id => new(Kind, Metadata.Namespace, Metadata.Name);

    /// <summary>spec.suspend (every kind, extension): when true nothing of it starts; a running attempt finishes.</summary>
    public bool Suspend { get; init; }

    /// <summary>spec.dependsOn (every kind, extension): resources that must be Completed before it starts.</summary>
    public ValueList<DependencyRef> DependsOn { get; init; } = ValueList<DependencyRef>.Empty;
}
