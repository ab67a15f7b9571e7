namespace KafkaRestored.Restore.Provenance;

/// <summary>Source → target offset correspondence for one target partition (SPEC 7).</summary>
public sealed class PartitionOffsetMap
{
    private readonly List<OffsetRun> _runs;

    /// <summary>Creates a map from runs in source-offset order.</summary>
    public PartitionOffsetMap(string sourceTopic, string targetTopic, int partition, IEnumerable<OffsetRun>? runs = null)
    {
        SourceTopic = sourceTopic;
        TargetTopic = targetTopic;
        Partition = partition;
        _runs = runs is null ? [] : [.. runs];
    }

    /// <summary>Topic in the backup.</summary>
    public string SourceTopic { get; }

    /// <summary>Topic in the target cluster (after topicMapping).</summary>
    public string TargetTopic { get; }

    /// <summary>Partition number, the same on both sides.</summary>
    public int Partition { get; }

    /// <summary>The runs, ordered by source (and target) offset.</summary>
    public IReadOnlyList<OffsetRun> Runs => _runs;

    /// <summary>Number of records the map covers.</summary>
    public long RecordCount => _runs.Sum(r => r.Length);

    /// <summary>Records that source offset <paramref name="source"/> was written at <paramref name="target"/>; extends the last run when contiguous.</summary>
    public void Add(long source, long target)
    {
        if (_runs.Count > 0)
        {
            var last = _runs[^1];
            if (source < last.SourceEnd || target < last.TargetEnd)
                throw new InvalidOperationException($"offset map for {TargetTopic}[{Partition}] must grow in order: got {source}->{target} after {last}");
            if (source == last.SourceEnd && target == last.TargetEnd)
            {
                _runs[^1] = last with { Length = last.Length + 1 };
                return;
            }
        }
        _runs.Add(new OffsetRun(source, target, 1));
    }

    /// <summary>
    /// Target offset of the first restored record whose source offset is ≥ <paramref name="sourceOffset"/>,
    /// or null when every restored record is before it (the caller then uses the target end offset).
    /// </summary>
    public long? FirstTargetAtOrAfter(long sourceOffset)
    {
        // Binary search for the first run that ends after sourceOffset.
        int lo = 0, hi = _runs.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_runs[mid].SourceEnd <= sourceOffset) lo = mid + 1;
            else hi = mid;
        }
        if (lo == _runs.Count) return null;
        var run = _runs[lo];
        return sourceOffset <= run.SourceStart ? run.TargetStart : run.TargetStart + (sourceOffset - run.SourceStart);
    }
}
