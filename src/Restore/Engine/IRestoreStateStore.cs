using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// Where a restore keeps what makes it resumable and exact: one checkpoint and one offset map per
/// target partition, under a restore key chosen by the caller (one key per run of one spec
/// generation). The Reconciler backs it with LiteDB; <see cref="FileRestoreStateStore"/> serves
/// the CLI. Saves are batches and upserts by (target topic, partition); a save must be durable
/// when the call returns, because the engine writes to Kafka only after it.
/// </summary>
public interface IRestoreStateStore
{
    /// <summary>Every checkpoint saved under <paramref name="restoreKey"/> (empty when none).</summary>
    IReadOnlyList<RestoreCheckpoint> GetCheckpoints(string restoreKey);

    /// <summary>Inserts or replaces checkpoints, atomically as a batch where the store can.</summary>
    void SaveCheckpoints(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints);

    /// <summary>Every offset map saved under <paramref name="restoreKey"/> (empty when none).</summary>
    IReadOnlyList<PartitionOffsetMap> GetOffsetMaps(string restoreKey);

    /// <summary>Inserts or replaces offset maps, atomically as a batch where the store can.</summary>
    void SaveOffsetMaps(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps);

    /// <summary>Removes every checkpoint and offset map of <paramref name="restoreKey"/> (TTL pruning, explicit restart).</summary>
    void DeleteRun(string restoreKey);
}
