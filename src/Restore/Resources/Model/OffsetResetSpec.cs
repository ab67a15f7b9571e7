namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Offset reset after a restore (and the vocabulary of KafkaOffsetReset).</summary>
public sealed record OffsetResetSpec(
    bool Enabled,
    OffsetResetStrategy Strategy,
    string? SourceCluster,
    ValueList<string> ConsumerGroups,
    DateTimeOffset? Timestamp,
    long? Offset);
