namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Records restored into one target topic.</summary>
public sealed record RestoredTopicStatus(string Name, long Records);
