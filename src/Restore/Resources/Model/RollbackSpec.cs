namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Snapshot committed offsets before the restore writes anything.</summary>
public sealed record RollbackSpec(bool Enabled, string? SnapshotId);
