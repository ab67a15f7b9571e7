using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Offset reset outcome: groups reset and per-group failures.</summary>
public sealed record OffsetResetStatus(ResourcePhase Phase, ValueList<string> GroupsReset, ValueList<GroupFailure> GroupsFailed);
