namespace KafkaRestored.Restore.Resources;

/// <summary>Kubernetes-style metadata. <see cref="Namespace"/> defaults to "default".</summary>
public sealed record ObjectMeta(string Name, string Namespace, ValueMap Labels, ValueMap Annotations)
{
    /// <summary>Namespace used when the document names none.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>Annotation whose new value re-runs a completed resource (SPEC 5).</summary>
    public const string RerunAnnotation = "kafka.oso.sh/rerun";
}

/// <summary>A validated resource of one of the three kinds.</summary>
public abstract record KafkaResource(ObjectMeta Metadata)
{
    /// <summary>The resource's kind, e.g. "KafkaRestore".</summary>
    public abstract string Kind { get; }

    /// <summary>(kind, namespace, name).</summary>
    public ResourceId Id => new(Kind, Metadata.Namespace, Metadata.Name);
}

/// <summary>A restore of topic data from a backup (SPEC 3.1).</summary>
public sealed record KafkaRestore(ObjectMeta Metadata, KafkaRestoreSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaRestore;
}

/// <summary>A standalone consumer-group offset reset (SPEC 3.3).</summary>
public sealed record KafkaOffsetReset(ObjectMeta Metadata, KafkaOffsetResetSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaOffsetReset;
}

/// <summary>An offset snapshot or rollback (SPEC 3.2).</summary>
public sealed record KafkaOffsetRollback(ObjectMeta Metadata, KafkaOffsetRollbackSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaOffsetRollback;
}
