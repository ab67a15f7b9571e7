namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Snapshot before a standalone reset.</summary>
public sealed record SnapshotBeforeResetSpec(bool Enabled, string? SnapshotId);
