namespace KafkaRestored.Restore.Backups;

/// <summary>One topic in a backup.</summary>
public sealed record TopicBackup(string Name, int? OriginalPartitionCount, IReadOnlyList<PartitionBackup> Partitions);
