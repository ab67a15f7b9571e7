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
    Func<ResourceRecord, TimeSpan?>? Objective = null);
