using KafkaRestored.Restore.Offsets;

namespace KafkaRestored.Reconciler.State;

/// <summary>Offset snapshots in the state store (the daemon's home for them; the status writer also commits them to snapshots/).</summary>
public sealed class LiteDbOffsetSnapshotStore(StateStore store) : IOffsetSnapshotStore
{
    /// <inheritdoc />
    public void Save(OffsetSnapshot snapshot) => store.SaveSnapshot(snapshot);

    /// <inheritdoc />
    public OffsetSnapshot? Get(string id) => store.FindSnapshot(id);

    /// <inheritdoc />
    public IReadOnlyList<OffsetSnapshot> List() => store.Snapshots();
}
