using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Live;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// What the status page reads, all read-only snapshots: the state store's records, the live progress of the
/// runs in flight, the status commits of the publish branch, the newest one per resource, and one resource's
/// phase changes from Git. <see cref="Objective"/> gives a kind's time objective (a drill's RTO) for the run-time chart.
/// </summary>
public sealed record StatusPageSource(
    Func<IReadOnlyList<ResourceRecord>> Resources,
    Func<IReadOnlyList<LiveRun>> Live,
    Func<IReadOnlyList<StatusCommit>> Commits,
    Func<ResourceId, StatusCommit?> LastChange,
    Func<ResourceId, IReadOnlyList<StatusTransition>> Transitions,
    TimeProvider Time,
    Func<ResourceRecord, TimeSpan?>? Objective = null)
{
    /// <summary>
    /// The daemon's (and the demo's) view: the store's records, the loop's runs in flight and the history's commits,
    /// the loop and the history reached only when a page asks (binding the listener must not build the loop, whose
    /// Git source clones), and a drill's spec.objectives.rto as the last loaded commit gives it.
    /// </summary>
    public static StatusPageSource Of(StateStore store, Func<ReconcileLoop> loop, Func<StatusHistory> history, TimeProvider time) => new(
        Resources: () => store.Resources(includeTombstones: false),
        Live: () => loop().LiveRuns,
        Commits: () => history().Commits(),
        LastChange: id => history().LastChange(id),
        Transitions: id => history().Transitions(id),
        Time: time,
        Objective: record => loop().Desired?.Resources.GetValueOrDefault(record.Id)?.Resource is KafkaRestoreDrill drill ? drill.Spec.Objectives.Rto : null);
}
