using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// The table of SPEC section 5 as a pure function: desired resources at a commit and the state
/// store's records in, actions out, each naming the resource and why. No I/O, no clock.
/// </summary>
public static class Planner
{
    /// <summary>Plans one cycle. Actions are ordered by resource; a resource may get two (e.g. Create then Start).</summary>
    public static IReadOnlyList<PlanAction> Plan(DesiredState desired, IReadOnlyList<ResourceRecord> state, PlanContext context)
    {
        var records = state.ToDictionary(r => r.Id);
        var actions = new List<PlanAction>();
        var candidates = new List<Candidate>();

        foreach (var d in desired.Resources.Values.OrderBy(d => d.Id.Kind, StringComparer.Ordinal)
                     .ThenBy(d => d.Id.Namespace, StringComparer.Ordinal).ThenBy(d => d.Id.Name, StringComparer.Ordinal))
        {
            records.TryGetValue(d.Id, out var rec);
            if (rec is { Tombstone: true }) rec = null;
            PlanDesired(d, rec, context, actions, candidates);
        }

        foreach (var rec in state.Where(r => !r.Tombstone && !desired.Resources.ContainsKey(r.Id)))
        {
            actions.Add(rec.Phase == ResourcePhase.Running || context.InFlight.Contains(rec.Id)
                ? new PlanAction(PlanActionKind.Cancel, rec.Id, $"YAML deleted while running (was {rec.SourceFile}): cancel, record the cancellation, remove the status file")
                : new PlanAction(PlanActionKind.Remove, rec.Id, $"YAML deleted (was {rec.SourceFile}): remove the status file, keep a tombstone"));
        }

        // Held before workers are assigned, so a suspended or waiting resource never takes a worker slot.
        candidates.RemoveAll(c => StartGate.Hold(c.Id, c.Kind, desired, records, context) is { } hold && Add(actions, hold));
        AssignWorkers(candidates, context, actions);

        foreach (var rec in state.Where(r => PruneDue(r, context.Now)))
            actions.Add(new PlanAction(PlanActionKind.Prune, rec.Id,
                $"{rec.Phase} since {rec.Status.CompletionTime:u}; ttlSecondsAfterFinished={rec.Job.TtlSecondsAfterFinished} passed: prune checkpoints and offset maps (the completed marker stays)"));

        return Order(actions);
    }

    private static void PlanDesired(DesiredResource d, ResourceRecord? rec, PlanContext context, List<PlanAction> actions, List<Candidate> candidates)
    {
        var executing = rec is not null && (rec.Phase == ResourcePhase.Running || context.InFlight.Contains(d.Id));

        if (!d.IsValid)
        {
            PlanInvalid(d, rec, context, executing, actions, candidates);
            return;
        }

        if (rec is null)
        {
            actions.Add(new PlanAction(PlanActionKind.Create, d.Id, $"new resource in {d.Location}: record as Pending"));
            // A scheduled resource runs first at its first slot, as a CronJob, not when it appears.
            if (ScheduledRuns.IsScheduled(d.Resource)) actions.Add(AwaitSchedule(d, context));
            else if (d.Resource is KafkaRestoreDrill newDrill) actions.Add(ScheduledRuns.Await(newDrill, context.Now));
            else candidates.Add(new Candidate(d.Id, PlanActionKind.Start, context.Now, "new resource"));
            return;
        }

        var specChanged = d.SpecHash != rec.SpecHash;
        var rerun = d.RerunValue is not null && d.RerunValue != rec.RerunValue;

        if (executing)
        {
            if (specChanged || rerun)
                actions.Add(new PlanAction(PlanActionKind.DeferChange, d.Id,
                    (rerun ? $"rerun annotation set to '{d.RerunValue}'" : "spec changed") +
                    $" while generation {rec.Generation} runs: it finishes (or fails) first, then the change is planned"));
            AddRunningWork(rec, context, candidates, actions, d.Resource!.Suspend);
            return;
        }

        if (ScheduledRuns.IsScheduled(d.Resource) && !rerun)
        {
            PlanScheduled(d, rec, specChanged, context, actions, candidates);
            return;
        }

        // A drill runs on its schedule: each due time is a new generation; a rerun or spec change is planned as for any kind.
        if (d.Resource is KafkaRestoreDrill drill && !rerun && ScheduledRuns.Decide(drill, rec, specChanged, context.Now) is { } decision)
        {
            actions.AddRange(decision.Actions);
            if (decision.StartWhy is { } why) candidates.Add(new Candidate(d.Id, PlanActionKind.Start, rec.CreatedAt, why));
            return;
        }

        if (rerun)
        {
            actions.Add(new PlanAction(PlanActionKind.Rerun, d.Id,
                $"annotation {ObjectMeta.RerunAnnotation} changed to '{d.RerunValue}': new generation {rec.Generation + 1} (was {rec.Phase})"));
            candidates.Add(new Candidate(d.Id, PlanActionKind.Start, rec.CreatedAt, "rerun requested"));
            return;
        }

        if (specChanged)
        {
            PlanSpecChange(d, rec, actions, candidates);
            return;
        }

        if (rec.Phase == ResourcePhase.Pending)
        {
            candidates.Add(new Candidate(d.Id, PlanActionKind.Start, rec.CreatedAt, "pending"));
            return;
        }
        actions.Add(new PlanAction(PlanActionKind.Unchanged, d.Id, $"unchanged ({rec.Phase}, generation {rec.Generation})"));
    }

    /// <summary>A resource that is not executed (duplicate, denied by the host policy, invalid spec): report it, keep what completed, let what runs finish.</summary>
    private static void PlanInvalid(DesiredResource d, ResourceRecord? rec, PlanContext context, bool executing, List<PlanAction> actions, List<Candidate> candidates)
    {
        var problem = d.Duplicates.Count > 0
            ? $"defined {d.Duplicates.Count} times ({string.Join(", ", d.Duplicates)}): neither is executed"
            : d.IsDenied
                ? $"denied by the host policy ({d.Denials.Count} reference{(d.Denials.Count == 1 ? "" : "s")}, first: {d.Denials[0]})"
                : $"invalid spec ({Plural.Of(d.Errors.Count, "error")}, first: {(d.Errors.Count > 0 ? d.Errors[0] : "")})";
        if (rec is null)
        {
            actions.Add(Problem(d, problem));
        }
        else if (d.IsDenied && rec.Phase == ResourcePhase.Running && !context.InFlight.Contains(d.Id))
        {
            // Interrupted (daemon restart) under a policy that now denies it: never resumed.
            actions.Add(Problem(d, problem + "; the interrupted generation is not resumed"));
        }
        else if (d.IsDenied && rec.Phase == ResourcePhase.Completed && d.ResourceSpecHash == rec.SpecHash)
        {
            // Only the policy changed: a completed resource is neither re-run nor changed; a rerun request is refused visibly.
            actions.Add(d.RerunValue is not null && d.RerunValue != rec.RerunValue
                ? Problem(d, $"rerun requested but {problem}")
                : new PlanAction(PlanActionKind.Unchanged, d.Id, "completed; the host policy now denies it, and a completed resource is kept as it is"));
        }
        else if (executing)
        {
            actions.Add(new PlanAction(PlanActionKind.DeferChange, d.Id, $"{problem}; the running generation {rec.Generation} finishes first"));
            AddRunningWork(rec, context, candidates, actions);
        }
        else if (rec.Phase == ResourcePhase.Completed)
        {
            actions.Add(rec.DesiredSpecHash == d.SpecHash
                ? new PlanAction(PlanActionKind.Unchanged, d.Id, "completed; the invalid edit is already reported")
                : new PlanAction(PlanActionKind.KeepCompleted, d.Id, $"{problem}; generation {rec.Generation} already completed and is kept"));
        }
        else if (rec.SpecHash == d.SpecHash)
        {
            actions.Add(new PlanAction(PlanActionKind.Unchanged, d.Id, "already reported: " + problem));
        }
        else
        {
            actions.Add(Problem(d, problem));
        }
    }

    /// <summary>
    /// A scheduled resource that is not executing: a spec edit is a new generation that the next run uses (never a run of its
    /// own), and a run starts when a slot is due (<see cref="ScheduledRuns.DueSlot"/>), whatever the last one's outcome.
    /// </summary>
    private static void PlanScheduled(DesiredResource d, ResourceRecord rec, bool specChanged, PlanContext context, List<PlanAction> actions,
        List<Candidate> candidates)
    {
        if (specChanged)
            actions.Add(new PlanAction(PlanActionKind.NewGeneration, d.Id, $"spec changed while {rec.Phase}: new generation {rec.Generation + 1}; the next scheduled run uses it"));
        if (ScheduledRuns.DueSlot(d.Resource!, rec, context.Now) is { } slot)
        {
            candidates.Add(new Candidate(d.Id, PlanActionKind.Start, slot, $"scheduled run for {slot:u}"));
            return;
        }
        actions.Add(AwaitSchedule(d, context));
    }

    private static PlanAction AwaitSchedule(DesiredResource d, PlanContext context) =>
        new(PlanActionKind.AwaitSchedule, d.Id, ScheduledRuns.NextSlot(d.Resource, context.Now) is { } n ? $"next scheduled run at {n:u}" : "the schedule has no further run");

    /// <summary>A changed spec on a resource that is not executing: a completed one is kept, anything else gets a new generation.</summary>
    private static void PlanSpecChange(DesiredResource d, ResourceRecord rec, List<PlanAction> actions, List<Candidate> candidates)
    {
        switch (rec.Phase)
        {
            case ResourcePhase.Completed when rec.DesiredSpecHash == d.SpecHash:
                actions.Add(new PlanAction(PlanActionKind.Unchanged, d.Id, "completed; the later spec change is already reported as not applied"));
                break;
            case ResourcePhase.Completed:
                actions.Add(new PlanAction(PlanActionKind.KeepCompleted, d.Id,
                    $"spec changed after generation {rec.Generation} completed: not re-run; set annotation {ObjectMeta.RerunAnnotation} to a new value to run it again"));
                break;
            default:
                actions.Add(new PlanAction(PlanActionKind.NewGeneration, d.Id,
                    $"spec changed while {rec.Phase}: new generation {rec.Generation + 1}, attempts reset"));
                candidates.Add(new Candidate(d.Id, PlanActionKind.Start, rec.CreatedAt, "new generation"));
                break;
        }
    }

    private static void AddRunningWork(ResourceRecord rec, PlanContext context, List<Candidate> candidates, List<PlanAction> actions, bool suspended = false)
    {
        if (context.InFlight.Contains(rec.Id))
        {
            // Suspending never interrupts a run: only what would come after it is held.
            actions.Add(new PlanAction(PlanActionKind.Unchanged, rec.Id, $"running (attempt {rec.Attempts})" +
                (suspended ? "; spec.suspend is true: this attempt finishes, no further attempt starts" : "")));
            return;
        }
        if (rec.Phase != ResourcePhase.Running) return;
        if (rec.NextAttemptAt is { } due)
        {
            if (due <= context.Now) candidates.Add(new Candidate(rec.Id, PlanActionKind.Retry, rec.CreatedAt, $"attempt {rec.Attempts} failed; backoff elapsed"));
            else actions.Add(new PlanAction(PlanActionKind.Wait, rec.Id, $"attempt {rec.Attempts} failed; next attempt at {due:u}"));
            return;
        }
        candidates.Add(new Candidate(rec.Id, PlanActionKind.Resume, rec.CreatedAt, $"was running (attempt {rec.Attempts}) and no run of it is in flight: the daemon stopped, or could not save how its run ended"));
    }

    private static void AssignWorkers(List<Candidate> candidates, PlanContext context, List<PlanAction> actions)
    {
        var free = Math.Max(0, context.MaxConcurrent - context.InFlight.Count);
        var busy = context.MaxConcurrent - free;
        // Work already under way goes first, then retries, then new starts, oldest first.
        foreach (var c in candidates.OrderBy(c => c.Kind switch { PlanActionKind.Resume => 0, PlanActionKind.Retry => 1, _ => 2 })
                     .ThenBy(c => c.Since).ThenBy(c => c.Id.ToString(), StringComparer.Ordinal))
        {
            if (free > 0)
            {
                free--;
                busy++;
                actions.Add(new PlanAction(c.Kind, c.Id, $"{c.Why}: start now (worker {busy} of {context.MaxConcurrent})"));
            }
            else
            {
                actions.Add(new PlanAction(PlanActionKind.Wait, c.Id, $"{c.Why}: waiting for a worker ({context.MaxConcurrent} of {context.MaxConcurrent} busy)"));
            }
        }
    }

    private static bool Add(List<PlanAction> actions, PlanAction action)
    {
        actions.Add(action);
        return true;
    }

    private static bool PruneDue(ResourceRecord rec, DateTimeOffset now) =>
        rec.Phase is ResourcePhase.Completed or ResourcePhase.Failed
        && !rec.RunDataPruned
        && rec.Job.TtlSecondsAfterFinished is { } ttl
        && rec.Status.CompletionTime is { } done
        && done.AddSeconds(ttl) <= now;

    private static PlanAction Problem(DesiredResource d, string problem) => d.Duplicates.Count > 0
        ? new PlanAction(PlanActionKind.MarkDuplicate, d.Id, problem)
        : d.IsDenied
            ? new PlanAction(PlanActionKind.MarkDenied, d.Id, problem + ": Failed, nothing executed")
            : new PlanAction(PlanActionKind.MarkInvalid, d.Id, problem + ": Failed, nothing executed");

    private static List<PlanAction> Order(List<PlanAction> actions)
    {
        // Group by resource (stable within a resource: Create before Start).
        var index = actions.Select((a, i) => (a, i))
            .GroupBy(x => x.a.Id)
            .OrderBy(g => g.Key.Kind, StringComparer.Ordinal).ThenBy(g => g.Key.Namespace, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
            .SelectMany(g => g.OrderBy(x => x.i).Select(x => x.a));
        return [.. index];
    }

    private sealed record Candidate(ResourceId Id, PlanActionKind Kind, DateTimeOffset Since, string Why);
}
