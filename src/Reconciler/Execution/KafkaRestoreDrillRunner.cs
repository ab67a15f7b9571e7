using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
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
        var run = await new KafkaRestoreDrillWorkflow(env, new DrillScratchLedger(context.RestoreState, LiteDbRestoreStateStore.LastingKey(context.Id, "drill-scratch"))).RunAsync(drill, cancellationToken);
        var details = run.Details(earlier, drill.Spec.ParsedSchedule().Next(run.Report.StartTime));
        if (run.Cancelled) return RunOutcome.Cancelled(run.Report.Message, details);
        return run.Failure is { } failure
            ? RunOutcome.Failed(failure, run.Report.Message, details)
            : RunOutcome.Succeeded(run.Report.Reason, run.Report.Message, details);
    }
}
