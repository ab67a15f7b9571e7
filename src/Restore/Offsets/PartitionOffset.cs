namespace KafkaRestored.Restore.Offsets;

/// <summary>One committed offset: the next record the group will read in <see cref="Topic"/>[<see cref="Partition"/>].</summary>
public readonly record struct PartitionOffset(string Topic, int Partition, long Offset);
