namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A validated resource of one of the three kinds.</summary>
public abstract record KafkaResource(ObjectMeta Metadata)
{
    /// <summary>The resource's kind, e.g. "KafkaRestore".</summary>
    public abstract string Kind { get; }

    /// <summary>(kind, namespace, name).</summary>
    public ResourceId Id => new(Kind, Metadata.Namespace, Metadata.Name);
}
