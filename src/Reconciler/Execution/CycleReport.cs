using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.Status;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>What one cycle did.</summary>
/// <param name="Commit">The resource branch's commit, or null when the fetch failed.</param>
/// <param name="Skipped">True when the commit was unchanged and nothing was due: nothing was loaded, planned or committed.</param>
/// <param name="Actions">Planned actions (empty when skipped).</param>
/// <param name="Publish">What status publishing did, or null when it did not run.</param>
/// <param name="Error">Why the cycle could not sync, or null.</param>
public sealed record CycleReport(string? Commit, bool Skipped, IReadOnlyList<PlanAction> Actions, PublishOutcome? Publish, string? Error)
{
    /// <summary>True when Git was fetched and status pushed (or already up to date).</summary>
    public bool Synced => Error is null && Publish is not PublishOutcome.Failed;
}
