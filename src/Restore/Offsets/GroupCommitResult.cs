using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Restore.Offsets;

/// <summary>Outcome of committing one group's offsets: a failure, or the verification of what was read back.</summary>
internal sealed record GroupCommitResult(GroupFailure? Failure, GroupVerification? Verification, IReadOnlyList<PartitionOffset> ReadBack);
