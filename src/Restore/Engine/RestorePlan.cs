using KafkaRestored.Restore.Backups;

namespace KafkaRestored.Restore.Engine;

/// <summary>What a restore will do, computed from the manifest before touching the target (SPEC 7).</summary>
/// <param name="BackupId">The backup restored.</param>
/// <param name="SourceClusterId">The manifest's source_cluster_id, when known.</param>
/// <param name="PitrCutoffMillis">Keep records with timestamp ≤ this (inclusive); null restores everything.</param>
/// <param name="Topics">Restored topics in the order the backup lists them.</param>
public sealed record RestorePlan(string BackupId, string? SourceClusterId, long? PitrCutoffMillis, IReadOnlyList<TopicPlan> Topics)
{
    /// <summary>Every partition of every restored topic.</summary>
    public IEnumerable<PartitionPlan> Partitions => Topics.SelectMany(t => t.Partitions);

    /// <summary>Records in the backup for the restored topics (an upper bound of what is written when PITR filters).</summary>
    public long TotalRecords => Topics.Sum(t => t.RecordCount);

    /// <summary>Uncompressed bytes of those records, as the manifest counts them.</summary>
    public long TotalBytes => Topics.Sum(t => t.ByteCount);

    /// <summary>Known losses of the restored partitions (ranges the source had deleted before the backup).</summary>
    public IEnumerable<GapReport> Gaps => Partitions.SelectMany(p => p.Gaps.Select(g =>
        new GapReport(p.SourceTopic, p.TargetTopic, p.Partition, g.StartOffset, g.EndOffset, g.Reason)));
}

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

/// <summary>One partition to restore: its segments in offset order and its gaps.</summary>
public sealed record PartitionPlan(string SourceTopic, string TargetTopic, int Partition, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<BackupGap> Gaps)
{
    /// <summary>Records in the backup for this partition.</summary>
    public long RecordCount => Segments.Sum(s => s.RecordCount);

    /// <summary>Uncompressed bytes in the backup for this partition.</summary>
    public long ByteCount => Segments.Sum(s => s.UncompressedSize);
}

/// <summary>A known loss reported in status: source offsets [StartOffset, EndOffset) were gone before the backup ran.</summary>
public sealed record GapReport(string SourceTopic, string TargetTopic, int Partition, long StartOffset, long EndOffset, string? Reason);
