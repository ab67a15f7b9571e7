namespace KafkaRestored.Restore.Backups.Writing;

/// <summary>Progress of a backup: records and bytes stored against the total captured at start.</summary>
public sealed record BackupProgress(long Records, long TotalRecords, long Bytes, int PartitionsDone, int Partitions);
