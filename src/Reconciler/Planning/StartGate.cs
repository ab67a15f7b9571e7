using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// Whether a resource the planner would start (start, retry or resume) may start now: not while
/// spec.suspend is true, not before every spec.dependsOn entry is Completed, and not while the host's
/// sync windows refuse its namespace. Pure, like the planner.
/// </summary>
public static class StartGate
{
    /// <summary>The action holding <paramref name="id"/> back (Suspended, AwaitDependency, DependencyFailed, AwaitWindow), or null when it may start.</summary>
    public static PlanAction? Hold(ResourceId id, PlanActionKind start, DesiredState desired, IReadOnlyDictionary<ResourceId, ResourceRecord> records,
        PlanContext? context = null)
    {
        if (!desired.Resources.TryGetValue(id, out var d) || d.Resource is not { } resource) return null;
        records.TryGetValue(id, out var own);
        if (resource.Suspend)
        {
            var what = start switch
            {
                PlanActionKind.Retry => $"attempt {own?.Attempts} failed and no further attempt starts",
                PlanActionKind.Resume => $"the interrupted attempt {own?.Attempts} is not resumed",
                _ => "not started",
            };
            return new PlanAction(PlanActionKind.Suspended, id, $"spec.suspend is true: {what}; set spec.suspend: false (or remove it) to let it start");
        }
        for (var i = 0; i < resource.DependsOn.Count; i++)
        {
            var dep = resource.DependsOn[i].Id;
            var (ready, failed, state) = StateOf(dep, desired, records);
            if (ready) continue;
            return failed
                ? new PlanAction(PlanActionKind.DependencyFailed, id,
                    $"waits for {dep} (spec.dependsOn[{i}]), which {state}; it does not start until {dep} is Completed: fix that resource and let it run again")
                : new PlanAction(PlanActionKind.AwaitDependency, id,
                    $"waits for {dep} (spec.dependsOn[{i}]), which {state}; it starts once that is Completed");
        }
        return context?.Windows?.Hold(id.Namespace, context.Now) is { } window ? Window(id, window) : null;
    }

    private static PlanAction Window(ResourceId id, SyncWindowHold hold)
    {
        // The opening time, not "now", is in the message: it stays the same each cycle, so a held resource adds one status commit, not one per cycle.
        var when = hold.OpensAt is { } at ? $"it starts when the window opens at {at.ToUniversalTime():u}" : "no opening of the windows was found ahead: check SyncWindows in the host settings";
        return new PlanAction(PlanActionKind.AwaitWindow, id, $"the host's sync windows refuse starting now: {hold.Why}; {when}", hold.OpensAt);
    }

    private static (bool Ready, bool Failed, string State) StateOf(ResourceId dep, DesiredState desired, IReadOnlyDictionary<ResourceId, ResourceRecord> records)
    {
        desired.Resources.TryGetValue(dep, out var d);
        records.TryGetValue(dep, out var rec);
        if (rec is { Tombstone: true }) rec = null;
        // A new generation planned this cycle (spec change of a failed one, rerun) is not the outcome that counts.
        var restarting = d is { IsValid: true } && rec is not null
            && ((d.RerunValue is not null && d.RerunValue != rec.RerunValue) || (rec.Phase != ResourcePhase.Completed && d.SpecHash != rec.SpecHash));
        if (d is null || !d.IsValid)
        {
            var why = d is null ? "is not in the repository" : d.IsDenied ? "is denied by the host policy" : d.Duplicates.Count > 0 ? "is defined twice" : "has an invalid spec";
            return (false, true, $"{why} and cannot run");
        }
        if (rec is { Phase: ResourcePhase.Completed } && !restarting) return (true, false, "is Completed");
        if (rec is { Phase: ResourcePhase.Failed } && !restarting)
            return (false, true, $"Failed ({Conditions.Find(rec.Status.Conditions, ConditionTypes.Ready)?.Reason ?? "no reason"})");
        if (d.Resource!.Suspend) return (false, false, "is suspended (spec.suspend is true)");
        if (rec is null) return (false, false, "has not started yet");
        if (restarting) return (false, false, $"starts a new generation (was {rec.Phase})");
        return rec.Phase == ResourcePhase.Running ? (false, false, $"is Running (attempt {rec.Attempts})") : (false, false, $"is {rec.Phase}");
    }
}
