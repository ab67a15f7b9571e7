namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Committed offsets of consumer groups in the source cluster (from a backup's
/// consumer-groups snapshot): group → source topic → partition → offset. Input of headerBased.
/// </summary>
public sealed class SourceCommittedOffsets
{
    private readonly Dictionary<string, Dictionary<string, SortedDictionary<int, long>>> _groups = new(StringComparer.Ordinal);

    /// <summary>Creates the table from (group, topic, partition, offset) rows, plus groups present without offsets.</summary>
    public SourceCommittedOffsets(
        IEnumerable<(string Group, string Topic, int Partition, long Offset)> rows,
        IEnumerable<string>? groupsWithoutOffsets = null,
        DateTimeOffset? snapshotTime = null)
    {
        SnapshotTime = snapshotTime;
        foreach (var group in groupsWithoutOffsets ?? []) AddGroup(group);
        foreach (var (group, topic, partition, offset) in rows) Add(group, topic, partition, offset);
    }

    /// <summary>When the source offsets were read, if known.</summary>
    public DateTimeOffset? SnapshotTime { get; }

    /// <summary>Groups present in the snapshot.</summary>
    public IReadOnlyCollection<string> Groups => _groups.Keys;

    /// <summary>True when the snapshot holds the group (even with no offsets).</summary>
    public bool Contains(string group) => _groups.ContainsKey(group);

    /// <summary>Topics a group committed on, in the source cluster.</summary>
    public IReadOnlyCollection<string> TopicsOf(string group) =>
        _groups.TryGetValue(group, out var topics) ? topics.Keys : [];

    /// <summary>The group's committed offset on a source partition, or null.</summary>
    public long? Get(string group, string topic, int partition) =>
        _groups.TryGetValue(group, out var topics) && topics.TryGetValue(topic, out var parts) && parts.TryGetValue(partition, out var o)
            ? o : null;

    private void AddGroup(string group)
    {
        if (!_groups.ContainsKey(group)) _groups[group] = new(StringComparer.Ordinal);
    }

    private void Add(string group, string topic, int partition, long offset)
    {
        AddGroup(group);
        var topics = _groups[group];
        if (!topics.TryGetValue(topic, out var parts)) topics[topic] = parts = [];
        parts[partition] = offset;
    }
}
