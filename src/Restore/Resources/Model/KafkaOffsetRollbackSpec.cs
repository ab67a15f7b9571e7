namespace KafkaRestored.Restore.Resources.Model;

/// <summary>spec of a KafkaOffsetRollback.</summary>
public sealed record KafkaOffsetRollbackSpec(
    KafkaClusterSpec KafkaCluster,
    RollbackOperation Operation,
    string SnapshotId,
    ValueList<string> ConsumerGroups);
