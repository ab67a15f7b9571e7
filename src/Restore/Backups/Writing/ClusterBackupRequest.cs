using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Backups.Writing;

/// <summary>What to back up, from which cluster, under which id.</summary>
public sealed record ClusterBackupRequest(
    KafkaClusterSpec Cluster,
    IReadOnlyList<string> Topics,
    string BackupId,
    BackupCompression Compression,
    IReadOnlyList<string> ConsumerGroups)
{
    /// <summary>Recorded as <c>source_cluster_id</c> (the Kafka client cannot read the cluster id on every broker).</summary>
    public string? SourceClusterId { get; init; }

    /// <summary>Segment rotation and spool folder.</summary>
    public BackupWriterOptions? WriterOptions { get; init; }

    /// <summary>Called once with every partition's (low, high) watermark as captured at the start, before any record is read.</summary>
    public Action<IReadOnlyDictionary<(string Topic, int Partition), (long Low, long High)>>? RangesCaptured { get; init; }

    /// <summary>How long a partition may deliver nothing before the backup gives up on the cluster.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);
}
