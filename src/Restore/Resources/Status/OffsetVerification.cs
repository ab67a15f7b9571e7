using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>
/// Read-back check of offsets after a reset or rollback: <see cref="Verified"/> only when every
/// group's committed offsets, read back from the cluster, equal what was intended (for a
/// rollback, the snapshot exactly: partitions it had no offset on have none).
/// </summary>
public sealed record OffsetVerification(bool Verified, string Message, ValueList<OffsetMismatch> Mismatches);
