namespace KafkaRestored.Restore.Resources;

/// <summary>The kinds this product reconciles, all under <see cref="ApiVersions.V1Alpha1"/>.</summary>
public static class ResourceKinds
{
    /// <summary>Restore topic data from a backup.</summary>
    public const string KafkaRestore = "KafkaRestore";

    /// <summary>Reset consumer-group offsets.</summary>
    public const string KafkaOffsetReset = "KafkaOffsetReset";

    /// <summary>Snapshot or roll back consumer-group offsets.</summary>
    public const string KafkaOffsetRollback = "KafkaOffsetRollback";

    /// <summary>Every kind, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback];
}

/// <summary>API versions this product understands.</summary>
public static class ApiVersions
{
    /// <summary>The only version: documents with any other apiVersion are ignored.</summary>
    public const string V1Alpha1 = "kafka.oso.sh/v1alpha1";
}

/// <summary>Identity of a resource: (kind, namespace, name), as SPEC section 2 defines it.</summary>
public readonly record struct ResourceId(string Kind, string Namespace, string Name)
{
    /// <summary>"namespace/name", the form used in logs and commit subjects.</summary>
    public string ShortName => $"{Namespace}/{Name}";

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
