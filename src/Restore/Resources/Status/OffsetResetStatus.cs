using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Offset reset outcome: groups reset and per-group failures.</summary>
public sealed record OffsetResetStatus(ResourcePhase Phase, ValueList<string> GroupsReset, ValueList<GroupFailure> GroupsFailed)
{
    /// <summary>Result of reading the offsets back: verified only when they equal what the strategy computed.</summary>
    public OffsetVerification? Verification { get; init; }

    /// <summary>Things worth telling that are not failures (e.g. partitions left alone and why).</summary>
    public ValueList<string> Notes { get; init; } = ValueList<string>.Empty;
}
