namespace KafkaRestored.Restore.Backups;

/// <summary>Totals of one topic in a backup, from its manifest.</summary>
public sealed record TopicStatistics(
    string Name,
    int? OriginalPartitionCount,
    int Partitions,
    int Segments,
    long Records,
    long StoredBytes,
    long UncompressedBytes,
    long? FirstTimestamp,
    long? LastTimestamp,
    IReadOnlyList<PartitionGap> Gaps);
