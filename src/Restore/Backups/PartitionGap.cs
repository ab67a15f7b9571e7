namespace KafkaRestored.Restore.Backups;

/// <summary>A gap of one partition.</summary>
public sealed record PartitionGap(int Partition, BackupGap Gap);
