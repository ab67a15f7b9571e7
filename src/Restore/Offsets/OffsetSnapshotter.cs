using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>Reads the committed offsets of consumer groups into an <see cref="OffsetSnapshot"/> (SPEC 3.5).</summary>
public sealed class OffsetSnapshotter
{
    private readonly KafkaClusterSpec _cluster;
    private readonly SecretStore _secrets;
    private readonly TimeProvider _time;

    /// <summary>Snapshots offsets in <paramref name="cluster"/>.</summary>
    public OffsetSnapshotter(KafkaClusterSpec cluster, SecretStore secrets, TimeProvider? time = null)
    {
        _cluster = cluster;
        _secrets = secrets;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Client request timeout.</summary>
    internal TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Reads the committed offsets of <paramref name="groups"/> on every partition of
    /// <paramref name="topics"/> (every non-internal topic when null; topics that do not exist
    /// yet are recorded as looked at, with no offsets). Partitions are always named explicitly.
    /// </summary>
    /// <exception cref="KafkaRestoredException">ClusterUnreachable, OffsetFetchFailed, InvalidSnapshotId.</exception>
    public async Task<OffsetSnapshot> TakeAsync(string snapshotId, ResourceId source, IReadOnlyList<string> groups,
        IReadOnlyList<string>? topics, CancellationToken ct)
    {
        OffsetSnapshot.ValidateId(snapshotId);
        using var client = new KafkaOffsetsClient(_cluster, _secrets, Timeout);
        var names = topics is null ? client.AllTopics() : [.. topics.Distinct(StringComparer.Ordinal)];
        var partitions = client.ExistingPartitions(names);
        var takenAt = _time.GetUtcNow();
        var rows = new List<(string, string, int, long)>();
        foreach (var group in groups.Distinct(StringComparer.Ordinal))
        {
            var committed = await client.CommittedAsync(group, partitions, ct);
            rows.AddRange(committed.Select(c => (group, c.Key.Topic, c.Key.Partition.Value, c.Value)));
        }
        return new OffsetSnapshot(snapshotId, takenAt, source, _cluster.BootstrapServers, names, groups, rows);
    }
}
