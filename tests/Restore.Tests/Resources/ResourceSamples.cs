using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Tests.Resources;

/// <summary>Small resources the model tests share.</summary>
internal static class ResourceSamples
{
    internal const string Minimal = """
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

    internal static KafkaResource Single(string yaml)
    {
        var result = ResourceLoader.LoadText("t.yaml", yaml);
        Assert.True(result.Diagnostics.Count == 0, string.Join("\n", result.Diagnostics));
        return Assert.Single(result.Resources).Resource;
    }
}
