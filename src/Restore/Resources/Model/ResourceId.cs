namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Identity of a resource: (kind, namespace, name), as SPEC section 2 defines it.</summary>
public readonly record struct ResourceId(string Kind, string Namespace, string Name)
{
    /// <summary>"namespace/name", the form used in logs and commit subjects.</summary>
    public string ShortName => $"{Namespace}/{Name}";

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
