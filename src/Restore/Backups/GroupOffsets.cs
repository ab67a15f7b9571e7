namespace KafkaRestored.Restore.Backups;

/// <summary>Committed offsets of one group: topic → partition (string) → offset.</summary>
public sealed record GroupOffsets(string GroupId, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Offsets);
