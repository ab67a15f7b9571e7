using KafkaRestored.Reconciler.Live;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>One run in flight: its task, the tokens that can stop it, and the progress it last reported.</summary>
internal sealed class RunHandle(ResourceId id, long generation, CancellationTokenSource deletion,
    CancellationTokenSource? deadline, CancellationTokenSource linked) : IDisposable
{
    public ResourceId Id { get; } = id;

    public long Generation { get; } = generation;

    /// <summary>Cancelled when the resource's YAML is deleted.</summary>
    public CancellationTokenSource Deletion { get; } = deletion;

    /// <summary>Cancelled when the attempt reaches job.activeDeadlineSeconds; null without a deadline.</summary>
    public CancellationTokenSource? Deadline { get; } = deadline;

    /// <summary>Cancelled when this daemon stopped leading while the run was in flight (distributed mode).</summary>
    public CancellationToken StandDown { get; init; }

    public Task Task { get; set; } = Task.CompletedTask;

    /// <summary>The latest progress the runner reported (written on the worker thread).</summary>
    public volatile ResourceStatus? Latest;

    /// <summary>The live snapshot built from the last full progress report (written on the worker thread).</summary>
    public volatile LiveRun? Live;

    /// <summary>The progress last saved to the store.</summary>
    public ResourceStatus? Persisted { get; set; }

    public void Dispose()
    {
        linked.Dispose();
        Deletion.Dispose();
        Deadline?.Dispose();
    }
}
