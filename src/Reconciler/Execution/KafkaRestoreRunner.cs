using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources;

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
        var restore = (KafkaRestore)resource;
        var env = new RestoreEnvironment(context.Secrets, context.RestoreState, context.RestoreKey)
        {
            Logger = context.Logger,
            Time = context.Time,
            Tuning = Tuning,
        };
        var progress = new Progress(context);
        var result = await RestoreEngine.RunAsync(restore, env, progress, cancellationToken);
        var details = new KafkaRestoreStatus
        {
            RestoredRecords = result.Outcome == RestoreOutcome.Completed ? result.RestoredRecords : null,
            RestoredTopics = new(result.Topics.Select(t => new RestoredTopicStatus(t.Name, t.Records))),
            Gaps = new(result.Gaps.Select(g => new GapStatus(g.TargetTopic, g.Partition, g.StartOffset, g.EndOffset, g.Reason ?? "unknown"))),
            Progress = result.Outcome == RestoreOutcome.Completed ? null : progress.Last,
        };
        return result.Outcome switch
        {
            RestoreOutcome.Completed => RunOutcome.Succeeded(result.Reason, result.Message, details),
            RestoreOutcome.Cancelled => RunOutcome.Cancelled(result.Message, details),
            _ => RunOutcome.Failed(result.Reason, result.Message, details),
        };
    }

    // Synchronous reporting: Progress<T> would post to the thread pool and could reorder updates.
    private sealed class Progress(RunContext context) : IProgress<RestoreProgressUpdate>
    {
        public RestoreProgress? Last { get; private set; }

        public void Report(RestoreProgressUpdate value)
        {
            Last = value.Progress;
            context.Report(new KafkaRestoreStatus { Progress = value.Progress });
        }
    }
}
