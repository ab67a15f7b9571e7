using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Status of a KafkaOffsetReset (SPEC 3.3).</summary>
public sealed record KafkaOffsetResetStatus : ResourceStatus
{
    /// <summary>Groups whose offsets were reset.</summary>
    public ValueList<string> GroupsReset { get; init; } = ValueList<string>.Empty;

    /// <summary>Groups left untouched, each with the reason.</summary>
    public ValueList<GroupFailure> GroupsFailed { get; init; } = ValueList<GroupFailure>.Empty;

    /// <summary>Snapshot taken before the reset, when snapshotBeforeReset is enabled.</summary>
    public string? SnapshotId { get; init; }
}
