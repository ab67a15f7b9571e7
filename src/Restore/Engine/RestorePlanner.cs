using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Engine;

/// <summary>Turns a manifest and a validated spec into a <see cref="RestorePlan"/>; pure, no I/O.</summary>
public static class RestorePlanner
{
    /// <summary>Selects topics (spec.topics, default all), applies topicMapping, orders segments and computes totals.</summary>
    /// <exception cref="KafkaRestoredException">Reason TopicNotInBackup when spec.topics names a topic the backup lacks.</exception>
    public static RestorePlan Plan(BackupManifest manifest, KafkaRestoreSpec spec)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(spec);
        var byName = new Dictionary<string, TopicBackup>(StringComparer.Ordinal);
        foreach (var t in manifest.Topics) byName.TryAdd(t.Name, t);

        IEnumerable<TopicBackup> selected = manifest.Topics;
        if (spec.Topics is { Count: > 0 } wanted)
        {
            var missing = wanted.Where(t => !byName.ContainsKey(t)).ToList();
            if (missing.Count > 0)
            {
                var available = manifest.Topics.Count == 0 ? "the backup holds no topics"
                    : "the backup holds: " + string.Join(", ", manifest.Topics.Select(t => t.Name));
                throw new KafkaRestoredException(FailureReason.TopicNotInBackup,
                    $"spec.topics names {Quote(missing)} but backup '{manifest.BackupId}' has no such topic ({available}); fix spec.topics or the backupId.");
            }
            var set = wanted.ToHashSet(StringComparer.Ordinal);
            selected = manifest.Topics.Where(t => set.Contains(t.Name));
        }

        var topics = new List<TopicPlan>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in selected)
        {
            if (!seen.Add(t.Name)) continue;
            var target = spec.TopicMapping.TryGetValue(t.Name, out var mapped) ? mapped : t.Name;
            var partitions = t.Partitions
                .OrderBy(p => p.PartitionId)
                .Select(p => new PartitionPlan(t.Name, target, p.PartitionId,
                    [.. p.Segments.OrderBy(s => s.StartOffset)],
                    [.. (p.Gaps ?? []).OrderBy(g => g.StartOffset)]))
                .ToList();
            var required = t.OriginalPartitionCount ?? (partitions.Count == 0 ? 0 : partitions.Max(p => p.Partition) + 1);
            // A backup's partition ids always fit the original count; if a manifest disagrees, trust the ids.
            if (partitions.Count > 0) required = Math.Max(required, partitions.Max(p => p.Partition) + 1);
            topics.Add(new TopicPlan(t.Name, target, required, partitions));
        }
        return new RestorePlan(manifest.BackupId, manifest.SourceClusterId, spec.Pitr?.CutoffMillis, topics);
    }

    private static string Quote(IEnumerable<string> names) => string.Join(", ", names.Select(n => $"'{n}'"));
}
