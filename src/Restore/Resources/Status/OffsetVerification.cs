using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Read-back check after a rollback: which committed offsets differ from the snapshot.</summary>
public sealed record OffsetVerification(bool Verified, string Message, ValueList<OffsetMismatch> Mismatches);
