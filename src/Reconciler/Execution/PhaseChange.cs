using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>
/// A resource's phase changed (a new resource counts as a change from none): what the loop announces
/// through <see cref="ReconcileLoop.PhaseChanged"/>. Carries only what its committed status shows
/// (which never holds a secret).
/// </summary>
/// <param name="Id">The resource.</param>
/// <param name="From">The phase before, or null for a new resource (or generation after a deletion).</param>
/// <param name="To">The phase now.</param>
/// <param name="Reason">The Ready condition's reason (e.g. ClusterUnreachable), if any.</param>
/// <param name="Message">The Ready condition's message, as committed to the status file.</param>
/// <param name="Attempts">Attempts of the current generation so far.</param>
/// <param name="Generation">The generation.</param>
/// <param name="SourceFile">The resource's file in the config repository.</param>
/// <param name="At">When the loop recorded the change.</param>
public sealed record PhaseChange(ResourceId Id, ResourcePhase? From, ResourcePhase To, string? Reason, string? Message, int Attempts, long Generation,
    string? SourceFile, DateTimeOffset At)
{
    /// <summary>The changes between the records before (by id) and the ones saved; tombstones (deletions) are not phase changes.</summary>
    public static IReadOnlyList<PhaseChange> Between(Func<ResourceId, ResourceRecord?> before, IEnumerable<ResourceRecord> saved, DateTimeOffset at)
    {
        var changes = new List<PhaseChange>();
        foreach (var next in saved)
        {
            if (next.Tombstone) continue;
            var previous = before(next.Id);
            var from = previous is { Tombstone: false } ? previous.Phase : (ResourcePhase?)null;
            if (from == next.Phase) continue;
            var ready = Conditions.Find(next.Status.Conditions, ConditionTypes.Ready);
            changes.Add(new PhaseChange(next.Id, from, next.Phase, ready?.Reason, ready?.Message, next.Attempts, next.Generation, next.SourceFile, at));
        }
        return changes;
    }

    /// <summary>Calls <paramref name="handler"/> with each change; one that throws is logged and the others still get theirs (a handler must not stop a cycle).</summary>
    internal static void Raise(Action<PhaseChange>? handler, IReadOnlyList<PhaseChange> changes, ILogger logger)
    {
        if (handler is null) return;
        // Each handler on its own: invoking the multicast delegate would stop at the first that throws.
        foreach (var (change, one) in changes.SelectMany(c => handler.GetInvocationList().Cast<Action<PhaseChange>>().Select(h => (c, h))))
        {
            try
            {
                one(change);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                logger.LogError(e, "A phase change handler failed for {Resource}; the cycle goes on", change.Id);
            }
        }
    }
}
