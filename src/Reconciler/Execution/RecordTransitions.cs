using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// The resource record's state changes, as pure functions of the record, the desired resource and
/// the time: what a planned action or a finished attempt makes of a record. Nothing here reads Git,
/// the store or a clock, so each transition can be tested on its own.
/// </summary>
public static class RecordTransitions
{
    /// <summary>
    /// The record after <paramref name="action"/>, or null when the action changes nothing.
    /// <paramref name="rec"/> is the current record (null when none), <paramref name="d"/> the resource in Git (null when deleted).
    /// </summary>
    public static ResourceRecord? ForAction(PlanAction action, ResourceRecord? rec, DesiredResource? d, string commit, DateTimeOffset now) => action.Kind switch
    {
        PlanActionKind.Create => NewGeneration(d!, rec is { Tombstone: true } ? rec : null, commit, now, ConditionReasons.Pending, "recorded; waiting for a worker"),
        PlanActionKind.NewGeneration => NewGeneration(d!, rec, commit, now, ConditionReasons.Pending, "spec changed: new generation; waiting for a worker"),
        PlanActionKind.Rerun => NewGeneration(d!, rec, commit, now, ConditionReasons.Pending, $"rerun requested ({ObjectMeta.RerunAnnotation}={d!.RerunValue}); waiting for a worker"),
        PlanActionKind.Start when ScheduledRuns.IsScheduled(d?.Resource) => StartScheduledRun(rec!, d!.Resource!, now),
        PlanActionKind.Start or PlanActionKind.Retry or PlanActionKind.Resume => StartAttempt(rec!, action.Kind, now),
        // A drill says why it waits every time; a KafkaBackup only before its first run (later it keeps its last run's status).
        PlanActionKind.AwaitSchedule when d?.Resource is KafkaRestoreDrill => Hold(rec!, d!, ConditionReasons.AwaitingSchedule, action.Reason, now),
        PlanActionKind.AwaitSchedule => rec!.Phase == ResourcePhase.Pending
            ? Hold(rec, d!, ConditionReasons.AwaitingSchedule, $"waits for its first scheduled run ({action.Reason})", now)
            : SyncUnchanged(rec, d!),
        PlanActionKind.Suspended => Hold(rec!, d!, ConditionReasons.Suspended, action.Reason, now),
        PlanActionKind.AwaitDependency => Hold(rec!, d!, ConditionReasons.DependencyNotReady, action.Reason, now),
        PlanActionKind.DependencyFailed => Hold(rec!, d!, ConditionReasons.DependencyFailed, action.Reason, now),
        PlanActionKind.AwaitWindow => Hold(rec!, d!, ConditionReasons.SyncWindowClosed, action.Reason, now),
        PlanActionKind.DeferChange => WithCondition(rec!, d!, ConditionTypes.SpecApplied, ConditionStatus.False, ConditionReasons.SpecChangeQueued,
            $"The spec in Git changed while generation {rec!.Generation} runs; it finishes (or fails) first, then the change is applied by the rules for its outcome.", now),
        PlanActionKind.KeepCompleted => WithCondition(rec!, d!, ConditionTypes.SpecApplied, ConditionStatus.False, ConditionReasons.ImmutableAfterCompletion,
            KeepCompletedMessage(rec!, d!), now),
        PlanActionKind.MarkInvalid => Problem(d!, rec, commit, now, ConditionReasons.InvalidSpec,
            $"{Plural.Of(d!.Errors.Count, "error")}; nothing was executed: {string.Join("; ", d.Errors)}"),
        PlanActionKind.MarkDenied => Problem(d!, rec, commit, now, ConditionReasons.PolicyDenied,
            $"The host policy denies {d!.Denials.Count} reference{(d.Denials.Count == 1 ? "" : "s")}; nothing was executed: {string.Join("; ", d.Denials)}"),
        PlanActionKind.MarkDuplicate => Problem(d!, rec, commit, now, ConditionReasons.DuplicateResource,
            $"{action.Id} is defined in {d!.Duplicates.Count} places ({string.Join(", ", d.Duplicates)}); neither is executed until one is renamed or removed."),
        PlanActionKind.Remove => Tombstone(rec!, DeletionOutcome.Deleted, now),
        PlanActionKind.Cancel => rec!.Tombstone ? null : Tombstone(rec, DeletionOutcome.Cancelled, now),
        PlanActionKind.Prune => rec! with { RunDataPruned = true },
        PlanActionKind.Unchanged when d is { IsValid: true } && rec is { Tombstone: false } => SyncUnchanged(rec, d),
        _ => null,
    };

    /// <summary>A new generation of <paramref name="d"/>, Pending, carrying the conditions of <paramref name="previous"/> (null: the first) and naming ignored fields.</summary>
    public static ResourceRecord NewGeneration(DesiredResource d, ResourceRecord? previous, string commit, DateTimeOffset now, string reason, string message)
    {
        var generation = (previous?.Generation ?? 0) + 1;
        var conditions = Conditions.Set(previous is { Tombstone: false } ? previous.Status.Conditions : ValueList<Condition>.Empty,
            ConditionTypes.Ready, ConditionStatus.False, reason, message, now, generation);
        conditions = Conditions.Remove(conditions, ConditionTypes.SpecApplied);
        var ignored = d.Warnings.Where(w => w.Code == DiagnosticCodes.IgnoredField).Select(w => w.ToString()).ToList();
        conditions = ignored.Count > 0
            ? Conditions.Set(conditions, ConditionTypes.IgnoredFields, ConditionStatus.True, ConditionReasons.PodTemplateIgnored, string.Join("; ", ignored), now, generation)
            : Conditions.Remove(conditions, ConditionTypes.IgnoredFields);
        var status = ResourceStatus.Empty(d.Id.Kind) with
        {
            Phase = ResourcePhase.Pending,
            ObservedGeneration = generation,
            SourceRevision = commit,
            Conditions = conditions,
        };
        // A scheduled resource's history (last backup, last slot run, retention) outlives a spec edit: the schedule goes on.
        if (previous is { Tombstone: false, Status: KafkaBackupStatus history }) status = status.WithDetailsFrom(history);
        // Each scheduled drill run is a generation; the report of the earlier runs stays in the status.
        if (status is KafkaRestoreDrillStatus drill && previous is { Tombstone: false, Status: KafkaRestoreDrillStatus earlier })
            status = drill with { LastRuns = earlier.LastRuns, NextRun = earlier.NextRun };
        return new ResourceRecord
        {
            Id = d.Id,
            SpecHash = d.SpecHash,
            DesiredSpecHash = d.SpecHash,
            RerunValue = d.RerunValue ?? previous?.RerunValue,
            DesiredRerunValue = d.RerunValue,
            SourceFile = d.Location.File,
            Job = d.Job,
            Status = status,
            PublishedStatus = previous is { Tombstone: false } ? previous.PublishedStatus : null,
            PublishedAt = previous is { Tombstone: false } ? previous.PublishedAt : null,
            CreatedAt = previous?.CreatedAt ?? now,
            PhaseChangedAt = now,
        };
    }

    /// <summary>The record Running a new attempt (Start, Retry) or the same attempt again after a daemon restart (Resume).</summary>
    public static ResourceRecord StartAttempt(ResourceRecord rec, PlanActionKind kind, DateTimeOffset now)
    {
        var resume = kind == PlanActionKind.Resume;
        var attempt = resume ? Math.Max(1, rec.Attempts) : rec.Attempts + 1;
        var message = resume
            ? $"attempt {attempt} of {rec.Job.BackoffLimit + 1} resumed after a daemon restart"
            : $"attempt {attempt} of {rec.Job.BackoffLimit + 1} running";
        return rec with
        {
            Status = rec.Status with
            {
                Phase = ResourcePhase.Running,
                Attempts = attempt,
                StartTime = rec.Status.StartTime ?? now,
                Conditions = Conditions.Set(rec.Status.Conditions, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.Running, message, now, rec.Generation),
            },
            AttemptStartedAt = resume ? rec.AttemptStartedAt ?? now : now,
            NextAttemptAt = null,
            // A resumed attempt is the same attempt; a new one (start, retry) is a transition the status command shows.
            PhaseChangedAt = resume && rec.Phase == ResourcePhase.Running ? rec.PhaseChangedAt : now,
        };
    }

    /// <summary>
    /// A scheduled resource's run for the slot due (<see cref="ScheduledRuns.DueSlot"/>; now, to the second, for a rerun
    /// requested by annotation): attempts count from 1 again and the slot is recorded, so a retry or a resume after a restart
    /// writes the same backup id.
    /// </summary>
    public static ResourceRecord StartScheduledRun(ResourceRecord rec, KafkaResource resource, DateTimeOffset now)
    {
        var slot = ScheduledRuns.DueSlot(resource, rec, now) ?? new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var status = rec.Status is KafkaBackupStatus b && resource is KafkaBackup backup
            ? b with { LastScheduleTime = slot, CurrentBackup = new BackupRunStatus { BackupId = KafkaBackupIds.For(backup, slot), ScheduledTime = slot, Stage = "Scheduled" } }
            : rec.Status;
        return StartAttempt(rec with { Status = status with { Attempts = 0, StartTime = null, CompletionTime = null } }, PlanActionKind.Start, now);
    }

    /// <summary>
    /// A resource held back from starting (suspended, waiting for a dependency): phase and attempts
    /// unchanged, Ready False with <paramref name="reason"/>; null when it already says exactly that,
    /// so a held resource adds no status commit per cycle.
    /// </summary>
    public static ResourceRecord? Hold(ResourceRecord rec, DesiredResource d, string reason, string message, DateTimeOffset now)
    {
        var ready = Conditions.Find(rec.Status.Conditions, ConditionTypes.Ready);
        if (ready is { Status: ConditionStatus.False } && ready.Reason == reason && ready.Message == message
            && rec.DesiredSpecHash == d.SpecHash && rec.DesiredRerunValue == d.RerunValue)
            return null;
        return WithCondition(rec, d, ConditionTypes.Ready, ConditionStatus.False, reason, message, now);
    }

    /// <summary>The record with one condition set and the desired spec noted, its generation and phase unchanged.</summary>
    public static ResourceRecord WithCondition(ResourceRecord rec, DesiredResource d, string type, ConditionStatus status, string reason, string message, DateTimeOffset now) =>
        rec with
        {
            DesiredSpecHash = d.SpecHash,
            DesiredRerunValue = d.RerunValue,
            Status = rec.Status with { Conditions = Conditions.Set(rec.Status.Conditions, type, status, reason, message, now, rec.Generation) },
        };

    /// <summary>A new generation of <paramref name="d"/> that failed before running (invalid, denied, duplicated), with the reason and message on Ready.</summary>
    public static ResourceRecord Problem(DesiredResource d, ResourceRecord? rec, string commit, DateTimeOffset now, string reason, string message)
    {
        var live = rec is { Tombstone: false } ? rec : null;
        var generation = (rec?.Generation ?? 0) + 1;
        var status = ResourceStatus.Empty(d.Id.Kind) with
        {
            Phase = ResourcePhase.Failed,
            CompletionTime = now,
            ObservedGeneration = generation,
            SourceRevision = commit,
            Conditions = Conditions.Set(live?.Status.Conditions ?? ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, reason, message, now, generation),
        };
        return new ResourceRecord
        {
            Id = d.Id,
            SpecHash = d.SpecHash,
            DesiredSpecHash = d.SpecHash,
            RerunValue = live?.RerunValue,
            SourceFile = d.Location.File,
            Status = status,
            PublishedStatus = live?.PublishedStatus,
            PublishedAt = live?.PublishedAt,
            CreatedAt = rec?.CreatedAt ?? now,
            PhaseChangedAt = now,
        };
    }

    /// <summary>The record of a deleted YAML, kept as a tombstone; a run cancelled by the deletion ends Failed with reason Cancelled.</summary>
    public static ResourceRecord Tombstone(ResourceRecord rec, DeletionOutcome outcome, DateTimeOffset now)
    {
        var status = rec.Status;
        if (outcome == DeletionOutcome.Cancelled)
        {
            status = status with
            {
                Phase = ResourcePhase.Failed,
                CompletionTime = now,
                Conditions = Conditions.Set(status.Conditions, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.Cancelled,
                    $"The YAML was deleted while attempt {rec.Attempts} ran; the run was cancelled.", now, rec.Generation),
            };
        }
        return rec with { Tombstone = true, Deletion = outcome, Status = status, PublishedStatus = status, PhaseChangedAt = now };
    }

    /// <summary>For an unchanged resource whose spec returned to what ran: the desired spec noted and SpecApplied cleared (unless it runs); null when nothing differs.</summary>
    public static ResourceRecord? SyncUnchanged(ResourceRecord rec, DesiredResource d)
    {
        if (rec.DesiredSpecHash == d.SpecHash && rec.DesiredRerunValue == d.RerunValue) return null;
        var conditions = rec.Phase == ResourcePhase.Running ? rec.Status.Conditions : Conditions.Remove(rec.Status.Conditions, ConditionTypes.SpecApplied);
        return rec with { DesiredSpecHash = d.SpecHash, DesiredRerunValue = d.RerunValue, Status = rec.Status with { Conditions = conditions } };
    }

    /// <summary>
    /// The record after an attempt ended: Completed, Failed, or waiting for a retry after
    /// <see cref="Backoff"/>. Null when a deletion cancelled it (the cycle that deleted it recorded that).
    /// A run stopped by shutdown stays Running, to resume on the next start.
    /// </summary>
    public static ResourceRecord? Complete(ResourceRecord rec, RunCompletion completion, DateTimeOffset now, TimeSpan retryBaseDelay, TimeSpan retryMaxDelay)
    {
        var outcome = completion.Outcome;
        var status = rec.Status;
        var details = outcome.Details ?? completion.LastReported;
        if (details is not null && details.GetType() == status.GetType()) status = status.WithDetailsFrom(details);
        if (rec.Tombstone)
        {
            // Cancelled by deletion: keep what the run reached for the record, the status file is gone.
            return rec with { Status = status, PublishedStatus = status };
        }
        if (completion.CancelledByDeletion) return null;
        if (completion.DaemonStopping && outcome.Result != RunResult.Succeeded)
            return rec with { Status = status }; // stays Running: resumed on the next start
        if (completion.DeadlineExceeded && outcome.Result != RunResult.Succeeded)
        {
            return Terminal(rec, status, ResourcePhase.Failed, ConditionReasons.DeadlineExceeded,
                $"Attempt {rec.Attempts} ran longer than job.activeDeadlineSeconds={rec.Job.ActiveDeadlineSeconds} and was cancelled.", now);
        }
        if (outcome.Result == RunResult.Succeeded)
            return Terminal(rec, status, ResourcePhase.Completed, outcome.Reason, outcome.Message, now, ConditionStatus.True);
        if (outcome.Retryable && rec.Attempts <= rec.Job.BackoffLimit)
        {
            var at = now + Backoff(rec.Attempts, retryBaseDelay, retryMaxDelay);
            var message = $"Attempt {rec.Attempts} of {rec.Job.BackoffLimit + 1} failed ({outcome.Reason}: {outcome.Message}); attempt {rec.Attempts + 1} at {StatusJson.Format(at)}.";
            return rec with
            {
                NextAttemptAt = at,
                PhaseChangedAt = now,
                Status = status with { Conditions = Conditions.Set(status.Conditions, ConditionTypes.Ready, ConditionStatus.False, ConditionReasons.AttemptFailed, message, now, rec.Generation) },
            };
        }
        var final = outcome.Retryable && rec.Job.BackoffLimit > 0
            ? $"{outcome.Message} (attempt {rec.Attempts} of {rec.Job.BackoffLimit + 1}; job.backoffLimit={rec.Job.BackoffLimit} reached)"
            : outcome.Message;
        return Terminal(rec, status, ResourcePhase.Failed, outcome.Reason, final, now);
    }

    /// <summary>The record ended in <paramref name="phase"/> (Completed or Failed) with Ready set; a completed restore drops its progress.</summary>
    public static ResourceRecord Terminal(ResourceRecord rec, ResourceStatus status, ResourcePhase phase, string reason, string message, DateTimeOffset now,
        ConditionStatus ready = ConditionStatus.False)
    {
        if (phase == ResourcePhase.Completed && status is KafkaRestoreStatus r) status = r with { Progress = null };
        return rec with
        {
            NextAttemptAt = null,
            PhaseChangedAt = now,
            Status = status with
            {
                Phase = phase,
                CompletionTime = now,
                Conditions = Conditions.Set(status.Conditions, ConditionTypes.Ready, ready, reason, message, now, rec.Generation),
            },
        };
    }

    /// <summary>The wait before the attempt after <paramref name="attempts"/> failed ones: doubling from <paramref name="baseDelay"/>, at most <paramref name="maxDelay"/>.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        var delay = baseDelay * Math.Pow(2, Math.Max(0, attempts - 1));
        return delay < maxDelay ? delay : maxDelay;
    }

    private static string KeepCompletedMessage(ResourceRecord rec, DesiredResource d)
    {
        var what = d.IsValid || d.IsDenied ? "The spec changed" : $"The spec was edited and is now invalid ({string.Join("; ", d.Errors)})";
        return $"{what} after generation {rec.Generation} completed (it ran the spec of commit {Short(rec.Status.SourceRevision)}). " +
            $"A completed {rec.Id.Kind} is not re-run, like a Kubernetes Job. To run it again with the current spec, set the annotation " +
            $"{ObjectMeta.RerunAnnotation} to a new value (for example today's date).";
    }

    private static string Short(string? sha) => sha is { Length: > 12 } ? sha[..12] : sha ?? "unknown";
}
