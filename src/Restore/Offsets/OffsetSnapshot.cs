using System.Globalization;
using System.Text.RegularExpressions;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Committed offsets of consumer groups at one moment (SPEC 3.5): group → topic → partition →
/// offset, with when it was taken, by which resource, on which cluster, and which topics were
/// looked at. Rendered to <c>snapshots/&lt;id&gt;.yaml</c> by <see cref="OffsetSnapshotYaml"/>.
/// </summary>
public sealed partial class OffsetSnapshot
{
    private readonly SortedDictionary<string, SortedDictionary<string, SortedDictionary<int, long>>> _groups = new(StringComparer.Ordinal);

    /// <summary>Creates a snapshot; <paramref name="groups"/> lists every group looked at, including those with no commits.</summary>
    /// <exception cref="KafkaRestoredException">InvalidSnapshotId.</exception>
    public OffsetSnapshot(
        string id,
        DateTimeOffset takenAt,
        ResourceId source,
        IEnumerable<string> bootstrapServers,
        IEnumerable<string> topics,
        IEnumerable<string> groups,
        IEnumerable<(string Group, string Topic, int Partition, long Offset)> offsets)
    {
        ValidateId(id);
        Id = id;
        TakenAt = takenAt.ToUniversalTime();
        Source = source;
        BootstrapServers = [.. bootstrapServers];
        Topics = [.. topics.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        foreach (var g in groups) GroupTable(g);
        foreach (var (g, t, p, o) in offsets)
        {
            var table = GroupTable(g);
            if (!table.TryGetValue(t, out var parts)) table[t] = parts = [];
            parts[p] = o;
        }
    }

    /// <summary>The snapshot id (unique in a state store).</summary>
    public string Id { get; }

    /// <summary>When the offsets were read (UTC).</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>The resource that took it.</summary>
    public ResourceId Source { get; }

    /// <summary>Bootstrap servers of the cluster the offsets were read from.</summary>
    public IReadOnlyList<string> BootstrapServers { get; }

    /// <summary>Topics whose partitions were looked at (a group with no commit there had none).</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>Groups in the snapshot, in order.</summary>
    public IReadOnlyList<string> Groups => [.. _groups.Keys];

    /// <summary>Committed offsets of a group (empty when it had none), ordered by topic then partition.</summary>
    public IReadOnlyList<PartitionOffset> OffsetsOf(string group) =>
        _groups.TryGetValue(group, out var topics)
            ? [.. topics.SelectMany(t => t.Value.Select(p => new PartitionOffset(t.Key, p.Key, p.Value)))]
            : [];

    /// <summary>True when the group is in the snapshot.</summary>
    public bool Contains(string group) => _groups.ContainsKey(group);

    /// <summary>Checks that an id is usable as a file name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 253 characters.</summary>
    /// <exception cref="KafkaRestoredException">InvalidSnapshotId.</exception>
    public static void ValidateId(string id)
    {
        if (id.Length is 0 or > 253 || !IdPattern().IsMatch(id))
            throw new KafkaRestoredException(FailureReason.InvalidSnapshotId,
                $"snapshot id '{id}' is not valid: use letters, digits, '.', '_' and '-', starting with a letter or digit, at most 253 characters.");
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"snapshot {Id} ({Plural.Of(_groups.Count, "group")}, taken {TakenAt:O} by {Source})");

    private SortedDictionary<string, SortedDictionary<int, long>> GroupTable(string group)
    {
        if (!_groups.TryGetValue(group, out var table)) _groups[group] = table = new(StringComparer.Ordinal);
        return table;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex IdPattern();
}
