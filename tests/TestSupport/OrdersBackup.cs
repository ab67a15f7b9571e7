using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A folder backup "backup-1" of an "orders" topic that reconcile-loop and daemon tests restore, and the
/// KafkaRestore YAML (namespace kafka-backup unless told) that restores it into a given target topic.
/// </summary>
public sealed class OrdersBackup
{
    private OrdersBackup(string directory) => Directory = directory;

    /// <summary>Writes the backup; record i of partition p has key "k{i}" and value <paramref name="value"/>(p, i), by default "order-{p}-{i}".</summary>
    public OrdersBackup(string directory, int partitions, int recordsPerPartition, Func<int, int, string>? value = null)
        : this(directory) =>
        WriteRecordsAsync(directory, partitions, recordsPerPartition, value).GetAwaiter().GetResult();

    /// <summary>The folder holding the backup.</summary>
    public string Directory { get; }

    /// <summary>Writes the backup as the constructor does, without blocking.</summary>
    public static async Task<OrdersBackup> WriteAsync(string directory, int partitions, int recordsPerPartition, Func<int, int, string>? value = null)
    {
        await WriteRecordsAsync(directory, partitions, recordsPerPartition, value);
        return new OrdersBackup(directory);
    }

    /// <summary>
    /// A KafkaRestore of the backup's orders topic into <paramref name="target"/> on <paramref name="bootstrap"/>:
    /// <paramref name="security"/> goes under targetCluster, <paramref name="extra"/> after the topic mapping.
    /// </summary>
    public string RestoreYaml(string name, string target, string bootstrap, string extra = "", string annotations = "",
        string ns = "kafka-backup", string security = "") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: {ns}{annotations}
        spec:
          backupId: backup-1
          targetCluster:
            bootstrapServers: [{bootstrap.Replace(",", ", ", StringComparison.Ordinal)}]
        {security}  storage:
            storageType: filesystem
            filesystem:
              path: {Directory}
          topics: [orders]
          topicMapping:
            orders: {target}{extra}

        """;

    /// <summary>
    /// A KafkaRestoreDrill of the backup's orders topic into <paramref name="topicPrefix"/>orders on <paramref name="bootstrap"/>
    /// on <paramref name="schedule"/> (cron), with an rto of <paramref name="rto"/> and an rpo of ten years (the records are from 2023).
    /// </summary>
    public string DrillYaml(string name, string topicPrefix, string bootstrap, string schedule, string rto = "1h", string ns = "kafka-backup") => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestoreDrill
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          schedule: "{schedule}"
          backupId: backup-1
          storage:
            storageType: filesystem
            filesystem:
              path: {Directory}
          targetCluster:
            bootstrapServers: [{bootstrap.Replace(",", ", ", StringComparison.Ordinal)}]
          topicPrefix: {topicPrefix}
          topics: [orders]
          objectives:
            rto: {rto}
            rpo: 3650d

        """;

    private static Task WriteRecordsAsync(string directory, int partitions, int recordsPerPartition, Func<int, int, string>? value)
    {
        value ??= (p, i) => $"order-{p}-{i}";
        var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < partitions; p++)
        {
            var partition = p;
            records[("orders", p)] = [.. Enumerable.Range(0, recordsPerPartition).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", value(partition, i)))];
        }
        return RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(directory), "backup-1", records,
            new Dictionary<string, int> { ["orders"] = partitions });
    }
}
