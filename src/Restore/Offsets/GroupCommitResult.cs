using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>Outcome of committing one group's offsets: a failure (with its typed reason), or the verification of what was read back.</summary>
internal sealed record GroupCommitResult(GroupFailure? Failure, GroupVerification? Verification, IReadOnlyList<PartitionOffset> ReadBack)
{
    /// <summary>Why <see cref="Failure"/> happened, by type (its status text is <see cref="GroupFailure.Reason"/>).</summary>
    public FailureReason? Reason { get; init; }
}
