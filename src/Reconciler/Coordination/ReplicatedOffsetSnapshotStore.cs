using KafkaRestored.Restore.Offsets;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// A leader's offset snapshots in distributed mode: read from its own store; a new snapshot is written to the shared state
/// topic and then to its own store, so a rollback of it can run on whichever member leads next.
/// </summary>
public sealed class ReplicatedOffsetSnapshotStore(IOffsetSnapshotStore local, SharedRunState shared) : IOffsetSnapshotStore
{
    /// <inheritdoc />
    public void Save(OffsetSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        // Ids are never reused: a taken id is refused by the local store before the shared copy could be overwritten.
        if (local.Get(snapshot.Id) is not null)
        {
            local.Save(snapshot);
            return;
        }
        shared.Publish(snapshot);
        local.Save(snapshot);
    }

    /// <inheritdoc />
    public OffsetSnapshot? Get(string id) => local.Get(id);

    /// <inheritdoc />
    public IReadOnlyList<OffsetSnapshot> List() => local.List();
}
