using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// Runs one scheduled KafkaRestoreDrill through <see cref="KafkaRestoreDrillWorkflow"/> and turns its report into
/// the drill's status: this run first, then the earlier runs the record carries (each run is a generation).
/// </summary>
public sealed class KafkaRestoreDrillRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaRestoreDrill;

    /// <summary>Engine tuning (intervals, timeouts); the defaults suit production.</summary>
    public RestoreTuning Tuning { get; init; } = RestoreTuning.Default;

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var drill = (KafkaRestoreDrill)resource;
        var earlier = context.Store.Find(context.Id)?.Status is KafkaRestoreDrillStatus s ? s.LastRuns : ValueList<DrillRunStatus>.Empty;
        var env = new RestoreEnvironment(context.Secrets, context.RestoreState, context.RestoreKey + "/drill")
        {
            Logger = context.Logger,
            Time = context.Time,
            Tuning = Tuning,
            Policy = context.Policy,
        };
        var workflow = new KafkaRestoreDrillWorkflow(env, new DrillScratchLedger(context.RestoreState, LiteDbRestoreStateStore.LastingKey(context.Id, "drill-scratch")))
        {
            ResolveBackupRef = r => Referenced(context, r),
        };
        var run = await workflow.RunAsync(drill, cancellationToken);
        var details = run.Details(earlier, drill.Spec.ParsedSchedule().Next(run.Report.StartTime));
        if (run.Cancelled) return RunOutcome.Cancelled(run.Report.Message, details);
        return run.Failure is { } failure
            ? RunOutcome.Failed(failure, run.Report.Message, details)
            : RunOutcome.Succeeded(run.Report.Reason, run.Report.Message, details);
    }

    /// <summary>The KafkaBackup <paramref name="backupRef"/> names, as the commit the run started from defines it.</summary>
    private static KafkaBackup Referenced(RunContext context, BackupRef backupRef)
    {
        var id = new ResourceId(ResourceKinds.KafkaBackup, backupRef.Namespace, backupRef.Name);
        var at = context.SourceRevision.Length >= 12 ? context.SourceRevision[..12] : context.SourceRevision;
        if (!context.Desired.TryGetValue(id, out var desired))
        {
            throw new KafkaRestoredException(FailureReason.BackupRefUnresolved,
                $"spec.backupRef names {id}, which no resource file defines at commit {at}; nothing was read or written. Add that KafkaBackup or correct spec.backupRef.name.");
        }
        if (desired.Resource is not KafkaBackup backup || desired.Errors.Count > 0 || desired.Duplicates.Count > 0)
        {
            throw new KafkaRestoredException(FailureReason.BackupRefUnresolved,
                $"spec.backupRef names {id}, which is invalid at commit {at} ({(desired.Errors.Count > 0 ? desired.Errors[0] : "defined more than once")}); nothing was read or written. Fix the KafkaBackup (its status says why).");
        }
        return backup;
    }
}
