namespace KafkaRestored.Restore.Engine;

/// <summary>Records restored into one target topic (status restoredTopics).</summary>
public sealed record TopicRestoreResult(string Name, string SourceTopic, long Records);
