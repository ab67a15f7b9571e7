using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>When the reconcile loop has work due without a new commit (moved out of <see cref="ReconcileLoop"/> unchanged).</summary>
internal static class DueTimes
{
    /// <summary>
    /// When the next cycle has work even without a new commit: a retry, a progress publish, a TTL prune, a sync window opening.
    /// Only times after <paramref name="planned"/> count: the cycle that planned then already did what
    /// an earlier time allowed, and what it could not do (a retry waiting for a worker, progress not yet
    /// reported) waits for a finished run, the webhook or the next poll; counting it spun the loop.
    /// </summary>
    public static DateTimeOffset? Next(IReadOnlyList<ResourceRecord> records, DateTimeOffset planned, DesiredState? lastDesired, DateTimeOffset? windowOpensAt,
        Func<ResourceId, bool> isRunning, TimeSpan progressInterval, DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        void Consider(DateTimeOffset? t)
        {
            if (t is { } v && v > planned && (due is null || v < due)) due = v;
        }
        foreach (var t in ScheduledRuns.NextDrillTimes(lastDesired, records)) Consider(t);
        Consider(windowOpensAt);
        foreach (var r in records)
        {
            var running = isRunning(r.Id);
            if (r.Phase == ResourcePhase.Running && !running) Consider(r.NextAttemptAt);
            if (running) Consider((r.PublishedAt ?? now) + progressInterval);
            Consider(PublishPolicy.DueAt(r, progressInterval));
            // A scheduled resource's next slot: the cycle then starts its run without a new commit.
            if (!running && !r.Tombstone && lastDesired?.Resources.GetValueOrDefault(r.Id)?.Resource is { Suspend: false } scheduled)
                Consider(ScheduledRuns.NextSlot(scheduled, planned));
            if (r.Phase is ResourcePhase.Completed or ResourcePhase.Failed && !r.RunDataPruned
                && r.Job.TtlSecondsAfterFinished is { } ttl && r.Status.CompletionTime is { } done)
                Consider(done.AddSeconds(ttl));
        }
        return due;
    }
}
