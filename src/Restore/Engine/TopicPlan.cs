namespace KafkaRestored.Restore.Engine;

/// <summary>One restored topic.</summary>
/// <param name="SourceTopic">Name in the backup.</param>
/// <param name="TargetTopic">Name in the target cluster (after topicMapping).</param>
/// <param name="RequiredPartitions">Partitions the target topic needs: the backup's original_partition_count, else the highest partition id + 1.</param>
/// <param name="Partitions">The partitions in the backup, by partition id.</param>
public sealed record TopicPlan(string SourceTopic, string TargetTopic, int RequiredPartitions, IReadOnlyList<PartitionPlan> Partitions)
{
    /// <summary>Records in the backup for this topic.</summary>
    public long RecordCount => Partitions.Sum(p => p.RecordCount);

    /// <summary>Uncompressed bytes in the backup for this topic.</summary>
    public long ByteCount => Partitions.Sum(p => p.ByteCount);
}
