using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Status of a KafkaOffsetRollback (SPEC 3.2).</summary>
public sealed record KafkaOffsetRollbackStatus : ResourceStatus
{
    /// <summary>The snapshot rolled back to or taken.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>Groups returned to the snapshot and verified (operation rollback).</summary>
    public ValueList<string> GroupsRolledBack { get; init; } = ValueList<string>.Empty;

    /// <summary>Groups recorded in the snapshot (operation snapshot).</summary>
    public ValueList<string> GroupsSnapshotted { get; init; } = ValueList<string>.Empty;

    /// <summary>Groups that could not be rolled back, each with the reason.</summary>
    public ValueList<GroupFailure> GroupsFailed { get; init; } = ValueList<GroupFailure>.Empty;

    /// <summary>Result of reading the offsets back after a rollback.</summary>
    public OffsetVerification? Verification { get; init; }

    /// <summary>Things worth telling that are not failures (e.g. a group the snapshot had no offsets for).</summary>
    public ValueList<string> Notes { get; init; } = ValueList<string>.Empty;
}
