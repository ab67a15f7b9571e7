using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>
/// The folder backup "backup-1" of an "orders" topic that the reconcile-loop tests restore, and the
/// KafkaRestore YAML (namespace kafka-backup) that restores it into a given target topic.
/// </summary>
internal sealed class OrdersBackup
{
    public OrdersBackup(string directory, int partitions, int recordsPerPartition)
    {
        Directory = directory;
        var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < partitions; p++)
            records[("orders", p)] = [.. Enumerable.Range(0, recordsPerPartition).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", $"order-{p}-{i}"))];
        RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(directory), "backup-1", records, new Dictionary<string, int> { ["orders"] = partitions })
            .GetAwaiter().GetResult();
    }

    /// <summary>The folder holding the backup.</summary>
    public string Directory { get; }

    /// <summary>A KafkaRestore of the backup's orders topic into <paramref name="target"/> on <paramref name="bootstrap"/>.</summary>
    public string RestoreYaml(string name, string target, string bootstrap, string extra = "", string annotations = "") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: kafka-backup{annotations}
        spec:
          backupId: backup-1
          targetCluster:
            bootstrapServers: [{bootstrap.Replace(",", ", ", StringComparison.Ordinal)}]
          storage:
            storageType: filesystem
            filesystem:
              path: {Directory}
          topics: [orders]
          topicMapping:
            orders: {target}{extra}

        """;
}
