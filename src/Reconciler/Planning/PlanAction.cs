using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>One planned action: its kind, the resource, and why, in words for `plan` and logs; <paramref name="At"/> is when a held resource may start (a sync window's opening), if known.</summary>
public sealed record PlanAction(PlanActionKind Kind, ResourceId Id, string Reason, DateTimeOffset? At = null)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind,-14} {Id.Kind} {Id.ShortName}: {Reason}";
}
