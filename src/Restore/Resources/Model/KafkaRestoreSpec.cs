namespace KafkaRestored.Restore.Resources.Model;

/// <summary>spec of a KafkaRestore. Every field validated; typed values parsed once.</summary>
public sealed record KafkaRestoreSpec(
    string BackupId,
    KafkaClusterSpec TargetCluster,
    StorageSpec Storage,
    ValueList<string>? Topics,
    ValueMap TopicMapping,
    PitrSpec? Pitr,
    bool IncludeOriginalOffsetHeader,
    OffsetResetSpec? OffsetReset,
    RollbackSpec? Rollback,
    ResourcesSpec? Resources,
    JobSpec Job,
    PodTemplateSpec? PodTemplate,
    OnExistingData OnExistingData);
