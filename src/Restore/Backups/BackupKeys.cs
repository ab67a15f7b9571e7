namespace KafkaRestored.Restore.Backups;

/// <summary>Object keys of a backup, relative to the storage root (SPEC 6).</summary>
public static class BackupKeys
{
    /// <summary>The manifest: <c>{backupId}/manifest.json</c>.</summary>
    public static string Manifest(string backupId) => $"{backupId}/manifest.json";

    /// <summary>The optional consumer-group snapshot.</summary>
    public static string ConsumerGroups(string backupId) => $"{backupId}/consumer-groups-snapshot.json";

    /// <summary>
    /// Which resource wrote the backup (<c>{backupId}/kafka-restored-owner.json</c>), written before any segment: the daemon's
    /// KafkaBackup runs delete (on a restart of a slot, by retention) only backups whose owner file names them. Readers ignore it.
    /// </summary>
    public static string Owner(string backupId) => $"{backupId}/kafka-restored-owner.json";

    /// <summary>Folder of a partition's segments.</summary>
    public static string PartitionFolder(string backupId, string topic, int partition) =>
        $"{backupId}/topics/{topic}/partition={partition}";

    /// <summary>A segment key: <c>.../segment-{firstOffset:D20}.bin</c> plus ".zst" or ".lz4".</summary>
    public static string Segment(string backupId, string topic, int partition, long firstOffset, string extension) =>
        $"{PartitionFolder(backupId, topic, partition)}/segment-{firstOffset:D20}{extension}";
}
