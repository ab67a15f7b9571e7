using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// A leader's restore state in distributed mode: reads from its own store, and every save written first to the shared
/// state topic and then to its own store, so what the engine relies on before it writes to Kafka (above all each
/// partition's end offset before the first write) is readable by the next leader before any record depends on it.
/// </summary>
public sealed class ReplicatedRestoreStateStore(IRestoreStateStore local, SharedRunState shared) : IRestoreStateStore
{
    /// <summary>Whether this instance may write now, instead of the shared state's own rule (the leader's); a member's unit sets it to "holds the unit's slot".</summary>
    public Func<bool>? MayWrite { get; init; }

    /// <inheritdoc />
    public IReadOnlyList<RestoreCheckpoint> GetCheckpoints(string restoreKey) => local.GetCheckpoints(restoreKey);

    /// <inheritdoc />
    public IReadOnlyList<PartitionOffsetMap> GetOffsetMaps(string restoreKey) => local.GetOffsetMaps(restoreKey);

    /// <inheritdoc />
    public void SaveCheckpoints(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints)
    {
        shared.Publish(restoreKey, checkpoints, MayWrite);
        local.SaveCheckpoints(restoreKey, checkpoints);
    }

    /// <inheritdoc />
    public void SaveOffsetMaps(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps)
    {
        shared.Publish(restoreKey, maps, MayWrite);
        local.SaveOffsetMaps(restoreKey, maps);
    }

    /// <inheritdoc />
    public void DeleteRun(string restoreKey)
    {
        shared.Forget(restoreKey, local.GetCheckpoints(restoreKey), local.GetOffsetMaps(restoreKey));
        local.DeleteRun(restoreKey);
    }
}
