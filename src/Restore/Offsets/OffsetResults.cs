using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>One committed offset: the next record the group will read in <see cref="Topic"/>[<see cref="Partition"/>].</summary>
public readonly record struct PartitionOffset(string Topic, int Partition, long Offset);

/// <summary>A partition whose committed offset read back differs from what was committed (null: nothing committed).</summary>
public sealed record PartitionMismatch(string Topic, int Partition, long Expected, long? Actual);

/// <summary>Result of reading a group's offsets back after a commit.</summary>
public sealed record GroupVerification(string Group, IReadOnlyList<PartitionMismatch> Mismatches)
{
    /// <summary>True when every committed offset read back unchanged.</summary>
    public bool Matches => Mismatches.Count == 0;
}

/// <summary>The offsets committed for one group (as read back from the cluster).</summary>
public sealed record GroupOffsetsCommitted(string Group, IReadOnlyList<PartitionOffset> Offsets);

/// <summary>
/// Outcome of an offset reset, for the reconciler to map into status (offsetResetStatus or a
/// KafkaOffsetReset's status): groups reset, groups failed with reasons, what was committed,
/// partitions left alone and why, and the snapshot taken first, if any.
/// </summary>
public sealed record OffsetResetResult(
    IReadOnlyList<string> GroupsReset,
    IReadOnlyList<GroupFailure> GroupsFailed,
    IReadOnlyList<GroupOffsetsCommitted> Committed,
    IReadOnlyList<GroupVerification> Verification,
    IReadOnlyList<string> Notes,
    string? SnapshotId)
{
    /// <summary>True when every group was reset.</summary>
    public bool Succeeded => GroupsFailed.Count == 0;
}

/// <summary>Outcome of a KafkaOffsetRollback: groups rolled back or snapshotted, failures and the read-back verification.</summary>
public sealed record OffsetRollbackResult(
    Resources.Model.RollbackOperation Operation,
    string SnapshotId,
    IReadOnlyList<string> GroupsRolledBack,
    IReadOnlyList<string> GroupsSnapshotted,
    IReadOnlyList<GroupFailure> GroupsFailed,
    IReadOnlyList<GroupVerification> Verification,
    IReadOnlyList<string> Notes)
{
    /// <summary>True when no group failed and every read-back matched.</summary>
    public bool Succeeded => GroupsFailed.Count == 0 && Verification.All(v => v.Matches);
}
