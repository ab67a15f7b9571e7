using System.Globalization;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Storage;

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

    /// <summary>The groups of a backup's consumer-groups snapshot; <paramref name="origin"/> names the file for messages.</summary>
    /// <exception cref="KafkaRestoredException">InvalidConsumerGroupSnapshot when a partition key is not a number.</exception>
    public static SourceCommittedOffsets From(ConsumerGroupSnapshot snapshot, string origin)
    {
        var rows = new List<(string, string, int, long)>();
        foreach (var group in snapshot.Groups)
        {
            foreach (var (topic, partitions) in group.Offsets)
            {
                foreach (var (key, offset) in partitions)
                {
                    if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
                        throw new KafkaRestoredException(FailureReason.InvalidConsumerGroupSnapshot,
                            $"consumer group snapshot {origin}: group '{group.GroupId}' topic '{topic}' has partition key '{key}', which is not a partition number.");
                    rows.Add((group.GroupId, topic, partition, offset));
                }
            }
        }
        return new SourceCommittedOffsets(rows, snapshot.Groups.Select(g => g.GroupId), DateTimeOffset.FromUnixTimeMilliseconds(snapshot.SnapshotTime));
    }

    /// <summary>Reads the consumer-groups snapshot of a backup.</summary>
    /// <exception cref="KafkaRestoredException">ConsumerGroupSnapshotNotFound naming the key looked for; InvalidConsumerGroupSnapshot.</exception>
    public static async Task<SourceCommittedOffsets> ReadAsync(IBackupStorage storage, string backupId, CancellationToken ct)
    {
        var key = BackupKeys.ConsumerGroups(backupId);
        var snapshot = await ConsumerGroupSnapshotStore.TryReadAsync(storage, backupId, ct)
            ?? throw new KafkaRestoredException(FailureReason.ConsumerGroupSnapshotNotFound,
                $"strategy headerBased needs the source cluster's committed offsets, but {storage.Describe(key)} does not exist. " +
                "Check backupId and storage, or use another strategy (the backup was taken without consumer-group snapshots).");
        return From(snapshot, storage.Describe(key));
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
