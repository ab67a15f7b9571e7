using KafkaRestored.Restore.Failures;
namespace KafkaRestored.Restore.Offsets;

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
