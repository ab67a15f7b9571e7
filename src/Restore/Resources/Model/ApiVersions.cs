namespace KafkaRestored.Restore.Resources.Model;

/// <summary>API versions this product understands.</summary>
public static class ApiVersions
{
    /// <summary>The only version: documents with any other apiVersion are ignored.</summary>
    public const string V1Alpha1 = "kafka.oso.sh/v1alpha1";
}
