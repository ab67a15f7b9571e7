namespace KafkaRestored.Restore.Resources.Model;

/// <summary>spec.consumerGroupSnapshot of a KafkaBackup: save the committed offsets of these groups with each backup.</summary>
public sealed record ConsumerGroupSnapshotSpec(bool Enabled, ValueList<string> ConsumerGroups);
