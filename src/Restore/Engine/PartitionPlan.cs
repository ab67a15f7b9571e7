using KafkaRestored.Restore.Backups;

namespace KafkaRestored.Restore.Engine;

/// <summary>One partition to restore: its segments in offset order and its gaps.</summary>
public sealed record PartitionPlan(string SourceTopic, string TargetTopic, int Partition, IReadOnlyList<SegmentInfo> Segments, IReadOnlyList<BackupGap> Gaps)
{
    /// <summary>Records in the backup for this partition.</summary>
    public long RecordCount => Segments.Sum(s => s.RecordCount);

    /// <summary>Uncompressed bytes in the backup for this partition.</summary>
    public long ByteCount => Segments.Sum(s => s.UncompressedSize);
}
