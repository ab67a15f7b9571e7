using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Durable home of offset snapshots. Two implementations: files for the CLI
/// (<see cref="FileOffsetSnapshotStore"/>) and the daemon's state store.
/// </summary>
public interface IOffsetSnapshotStore
{
    /// <summary>Stores a new snapshot.</summary>
    /// <exception cref="KafkaRestoredException">Reason SnapshotExists when the id is already taken: ids are never reused.</exception>
    void Save(OffsetSnapshot snapshot);

    /// <summary>The snapshot with this id, or null.</summary>
    OffsetSnapshot? Get(string id);

    /// <summary>Every snapshot, ordered by id.</summary>
    IReadOnlyList<OffsetSnapshot> List();
}
