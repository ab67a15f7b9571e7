namespace KafkaRestored.Reconciler.State;

/// <summary>
/// Committed consumer-group offsets recorded under a unique id (SPEC 3.5):
/// group → topic → partition → offset, with the time taken and the resource that took it.
/// </summary>
public sealed record SnapshotRecord(
    string Id,
    DateTimeOffset TakenAt,
    string? Source,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyDictionary<int, long>>> Offsets);

/// <summary>A snapshot id is already taken; snapshot ids are unique (SPEC 3.5).</summary>
public sealed class SnapshotIdInUseException(string snapshotId, string? existingSource)
    : InvalidOperationException($"Snapshot id '{snapshotId}' is already used" +
        (existingSource is null ? "" : $" (taken by {existingSource})") +
        "; snapshot ids are unique: choose another snapshotId.")
{
    /// <summary>CamelCase reason for status.</summary>
    public const string Reason = "SnapshotIdInUse";

    /// <summary>The id that was reused.</summary>
    public string SnapshotId { get; } = snapshotId;
}
