namespace KafkaRestored.Restore.Resources.Model;

/// <summary>spec of a KafkaOffsetReset.</summary>
public sealed record KafkaOffsetResetSpec(
    KafkaClusterSpec KafkaCluster,
    ValueList<string> ConsumerGroups,
    ValueList<string> Topics,
    OffsetResetStrategy Strategy,
    DateTimeOffset? Timestamp,
    long? Offset,
    string? SourceCluster,
    string? BackupId,
    StorageSpec? Storage,
    ValueMap TopicMapping,
    SnapshotBeforeResetSpec? SnapshotBeforeReset);
