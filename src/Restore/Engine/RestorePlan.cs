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
