namespace KafkaRestored.Restore.Backups;

/// <summary>
/// <c>{backupId}/consumer-groups-snapshot.json</c>: committed offsets of consumer groups when the
/// backup ran. Offsets: topic → partition (as a string, as in the JSON) → committed offset.
/// </summary>
public sealed record ConsumerGroupSnapshot(long SnapshotTime, IReadOnlyList<GroupOffsets> Groups);
