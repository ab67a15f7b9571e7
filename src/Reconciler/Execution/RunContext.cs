using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Execution;

/// <summary>What a runner may use during one attempt: identity, generation, persistence, secrets, progress reporting.</summary>
public sealed class RunContext
{
    private readonly Action<ResourceStatus> _report;

    internal RunContext(ResourceId id, long generation, int attempt, string sourceRevision, StateStore store, SharedRunState? shared,
        SecretStore secrets, TimeProvider time, ILogger logger, Action<ResourceStatus> report)
    {
        Id = id;
        Generation = generation;
        Attempt = attempt;
        SourceRevision = sourceRevision;
        Store = store;
        var local = new LiteDbRestoreStateStore(store);
        RestoreState = shared is null ? local : new ReplicatedRestoreStateStore(local, shared);
        var snapshots = new LiteDbOffsetSnapshotStore(store);
        Snapshots = shared is null ? snapshots : new ReplicatedOffsetSnapshotStore(snapshots, shared);
        RestoreKey = LiteDbRestoreStateStore.RestoreKey(id, generation);
        Secrets = secrets;
        Time = time;
        Logger = logger;
        _report = report;
    }

    /// <summary>The resource.</summary>
    public ResourceId Id { get; }

    /// <summary>Generation being run; a new generation starts with no checkpoints.</summary>
    public long Generation { get; }

    /// <summary>1-based attempt number within the generation.</summary>
    public int Attempt { get; }

    /// <summary>The commit whose spec is being executed.</summary>
    public string SourceRevision { get; }

    /// <summary>The state store (offset snapshots live here).</summary>
    public StateStore Store { get; }

    /// <summary>Checkpoints and offset maps for the restore engine, keyed by <see cref="RestoreKey"/> (in distributed mode also written to the shared state topic).</summary>
    public IRestoreStateStore RestoreState { get; }

    /// <summary>Offset snapshots (in distributed mode also written to the shared state topic).</summary>
    public IOffsetSnapshotStore Snapshots { get; }

    /// <summary>Key of this generation's checkpoints and offset maps (stable across attempts and restarts).</summary>
    public string RestoreKey { get; }

    /// <summary>Secret files (&lt;dir&gt;/&lt;name&gt;/&lt;key&gt;).</summary>
    public SecretStore Secrets { get; }

    /// <summary>Clock for backoff and timing.</summary>
    public TimeProvider Time { get; }

    /// <summary>Logger with the resource identity in scope.</summary>
    public ILogger Logger { get; }

    /// <summary>The host policy the resource was allowed by (null: none configured); the restore engine checks internal target topics from the manifest against it.</summary>
    public HostPolicy? Policy { get; init; }

    /// <summary>The resources of the commit the attempt started from, by identity (a drill's spec.backupRef is resolved here); empty when not known.</summary>
    public IReadOnlyDictionary<ResourceId, DesiredResource> Desired { get; init; } = new Dictionary<ResourceId, DesiredResource>();

    /// <summary>The resource's status when the attempt started (a scheduled run's slot and history are in it).</summary>
    public ResourceStatus? Status { get; init; }

    /// <summary>Reports kind-specific status (e.g. a KafkaRestoreStatus with Progress); committed to Git throttled.</summary>
    public void Report(ResourceStatus details) => _report(details);

    /// <summary>Where <see cref="ReportLive"/> goes (the supervisor's live snapshot of this run); null: nowhere.</summary>
    internal Action<RestoreProgressUpdate>? OnLive { get; init; }

    /// <summary>Distributed mode with a units topic: spreads a restore's partitions over the members (null: this process writes them all).</summary>
    public UnitDispatcher? Units { get; init; }

    /// <summary>True once the run is cancelled for good (its resource deleted, its deadline passed), not by a stand-down or a shutdown.</summary>
    public Func<bool> EndsForGood { get; init; } = () => false;

    /// <summary>Reports a restore's full progress (per partition, rate) for live views; never written to Git or the store.</summary>
    public void ReportLive(RestoreProgressUpdate update) => OnLive?.Invoke(update);
}
