namespace KafkaRestored.TestSupport;

/// <summary>Resource YAML the model and planner tests of several projects share.</summary>
public static class SampleResources
{
    /// <summary>The smallest valid KafkaRestore (namespace default, a folder backup), ending with a newline so a test can append spec fields.</summary>
    public const string MinimalRestore = """
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: minimal
        spec:
          backupId: b-1
          targetCluster:
            bootstrapServers: [kafka:9092]
          storage:
            storageType: filesystem
            filesystem: {path: /var/backups/kafka}

        """;
}
