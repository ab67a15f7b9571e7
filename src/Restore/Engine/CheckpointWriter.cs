using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>Turns partition states into checkpoints and offset maps in the state store, saving only what changed.</summary>
internal sealed class CheckpointWriter(IRestoreStateStore store, string restoreKey, TimeProvider time)
{
    private readonly Dictionary<(string, int), (long Done, long SegmentStart)> _saved = [];

    /// <summary>Saves the confirmed resume point of every partition still in progress: maps first, then checkpoints.</summary>
    public void Save(IReadOnlyList<PartitionState> states)
    {
        var maps = new List<PartitionOffsetMap>();
        var checkpoints = new List<RestoreCheckpoint>();
        foreach (var s in states)
        {
            if (s.AlreadyComplete) continue;
            var point = s.ConfirmedResumePoint();
            var done = s.Done;
            var key = (s.Plan.TargetTopic, s.Plan.Partition);
            if (_saved.TryGetValue(key, out var last) && last.Done == done && last.SegmentStart == point.SegmentStartOffset) continue;
            _saved[key] = (done, point.SegmentStartOffset);
            // A checkpoint's hint is used only with a map of at least that many records, so maps go first.
            if (point.SelectedBefore > 0)
                maps.Add(new PartitionOffsetMap(s.Plan.SourceTopic, s.Plan.TargetTopic, s.Plan.Partition, point.MapPrefix));
            checkpoints.Add(new RestoreCheckpoint(s.Plan.SourceTopic, s.Plan.TargetTopic, s.Plan.Partition, s.Fingerprint,
                s.TargetStart, done, point.SegmentStartOffset, point.SelectedBefore,
                point.SegmentStartOffset == long.MaxValue ? point.SelectedBefore : null, false, time.GetUtcNow()));
        }
        if (maps.Count > 0) store.SaveOffsetMaps(restoreKey, maps);
        if (checkpoints.Count > 0) store.SaveCheckpoints(restoreKey, checkpoints);
    }

    /// <summary>Saves verified partitions as completed, with their full offset maps.</summary>
    public void SaveCompleted(IReadOnlyList<PartitionState> states)
    {
        var maps = new List<PartitionOffsetMap>();
        var checkpoints = new List<RestoreCheckpoint>();
        foreach (var s in states)
        {
            if (s.AlreadyComplete || s.FinalMap is null || s.Selected is not { } selected) continue;
            maps.Add(s.FinalMap);
            checkpoints.Add(new RestoreCheckpoint(s.Plan.SourceTopic, s.Plan.TargetTopic, s.Plan.Partition, s.Fingerprint,
                s.TargetStart, selected, long.MaxValue, selected, selected, true, time.GetUtcNow()));
        }
        if (maps.Count > 0) store.SaveOffsetMaps(restoreKey, maps);
        if (checkpoints.Count > 0) store.SaveCheckpoints(restoreKey, checkpoints);
    }
}
