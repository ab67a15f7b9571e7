using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

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
