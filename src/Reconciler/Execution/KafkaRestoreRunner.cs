using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Workflows;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>Runs a KafkaRestore through the restore engine, with checkpoints and offset maps in the state store.</summary>
public sealed class KafkaRestoreRunner : IResourceRunner
{
    /// <inheritdoc />
    public string Kind => ResourceKinds.KafkaRestore;

    /// <summary>Engine tuning (intervals, timeouts); the defaults suit production.</summary>
    public RestoreTuning Tuning { get; init; } = RestoreTuning.Default;

    /// <inheritdoc />
    public async Task<RunOutcome> RunAsync(KafkaResource resource, RunContext context, CancellationToken cancellationToken)
    {
        var progress = new Progress(context);
        var env = new RestoreEnvironment(context.Secrets, context.RestoreState, context.RestoreKey)
        {
            Logger = context.Logger,
            Time = context.Time,
            Tuning = Tuning,
            Policy = context.Policy,
            Spread = context.Units?.For((KafkaRestore)resource, context.RestoreKey, context.EndsForGood, context.Logger),
        };
        var run = await new KafkaRestoreWorkflow(env, context.Snapshots)
        {
            Progress = progress,
            BeforeWriting = (_, _) =>
            {
                CarryOverUnfinishedRun(context);
                return Task.CompletedTask;
            },
        }.RunAsync((KafkaRestore)resource, cancellationToken);
        if (run.SnapshotError is { } error) return RunOutcome.Failed(error.Reason, error.Message);
        foreach (var note in run.Notes) context.Logger.LogInformation("Offset reset: {Note}", note);
        var details = run.Details(progress.Last);
        var (reason, message) = run.Ready();
        return run.Restore.Outcome switch
        {
            RestoreOutcome.Completed => RunOutcome.Succeeded(reason, message, details),
            RestoreOutcome.Cancelled => RunOutcome.Cancelled(message, details),
            _ => RunOutcome.Failed(run.Restore.Failure!, message, details),
        };
    }

    /// <summary>
    /// A new generation (rerun annotation or spec edit) of a restore whose previous generation stopped
    /// part-way, e.g. Failed after job.backoffLimit, continues from that generation's checkpoints: its
    /// records are in the target, and starting over would meet TargetNotEmpty (or, with
    /// onExistingData: append, write them twice). A completed generation is not carried over, so a
    /// rerun of a completed restore runs it again.
    /// </summary>
    private static void CarryOverUnfinishedRun(RunContext context)
    {
        var state = context.RestoreState;
        if (context.Generation <= 1 || state.GetCheckpoints(context.RestoreKey).Count > 0) return;
        var previousKey = LiteDbRestoreStateStore.RestoreKey(context.Id, context.Generation - 1);
        var previous = state.GetCheckpoints(previousKey);
        if (previous.Count == 0 || previous.All(c => c.Completed)) return;
        // Maps first, checkpoints last: a crash in between leaves no checkpoints under the new key, so this runs again.
        state.SaveOffsetMaps(context.RestoreKey, [.. state.GetOffsetMaps(previousKey)]);
        state.SaveCheckpoints(context.RestoreKey, previous);
        state.DeleteRun(previousKey);
        context.Logger.LogInformation("Generation {Generation} continues the unfinished run of generation {Previous} ({Partitions} partitions checkpointed)",
            context.Generation, context.Generation - 1, previous.Count);
    }

    // Synchronous reporting: Progress<T> would post to the thread pool and could reorder updates.
    private sealed class Progress(RunContext context) : IProgress<RestoreProgressUpdate>
    {
        public RestoreProgress? Last { get; private set; }

        public void Report(RestoreProgressUpdate value)
        {
            // Before the engine has read the target (planning, preflight) it counts nothing done: on a
            // resume after a daemon restart that would publish 0% over the progress already reached.
            if (value.Stage < RestoreStage.Restoring) return;
            Last = value.Progress;
            context.ReportLive(value);
            context.Report(new KafkaRestoreStatus { Progress = value.Progress });
        }
    }
}
