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

    /// <summary>Result of reading the offsets back: verified only when they equal what each strategy computed.</summary>
    public OffsetVerification? Verification { get; init; }

    /// <summary>Things worth telling that are not failures (e.g. partitions left alone and why).</summary>
    public ValueList<string> Notes { get; init; } = ValueList<string>.Empty;
}
