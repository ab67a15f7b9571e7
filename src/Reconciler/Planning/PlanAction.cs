using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>One planned action: its kind, the resource, and why, in words for `plan` and logs.</summary>
public sealed record PlanAction(PlanActionKind Kind, ResourceId Id, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind,-14} {Id.Kind} {Id.ShortName}: {Reason}";
}
