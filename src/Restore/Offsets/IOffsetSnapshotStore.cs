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

/// <summary>Errors shared by snapshot stores.</summary>
public static class OffsetSnapshotErrors
{
    /// <summary>The error a store raises when an id is reused.</summary>
    public static KafkaRestoredException Exists(OffsetSnapshot existing) =>
        new(FailureReason.SnapshotExists,
            $"offset snapshot '{existing.Id}' already exists (taken {existing.TakenAt:O} by {existing.Source}); snapshot ids are never reused. Choose another snapshotId.");

    /// <summary>The error for a snapshot id that no store holds.</summary>
    public static KafkaRestoredException NotFound(string id, string where) =>
        new(FailureReason.SnapshotNotFound,
            $"offset snapshot '{id}' was not found in {where}; check snapshotId (snapshots taken by the daemon are also in the config repo under snapshots/).");
}
