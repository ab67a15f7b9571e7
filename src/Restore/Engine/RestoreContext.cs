using Confluent.Kafka;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Restore.Engine;

/// <summary>Everything one restore run shares across its producer sessions.</summary>
internal sealed class RestoreContext
{
    public required RestorePlan Plan { get; init; }

    public required IBackupStorage Storage { get; init; }

    public required ClientConfig Client { get; init; }

    public required string Bootstrap { get; init; }

    public required RestoreBudget Budget { get; init; }

    public required bool IncludeOriginalOffsetHeader { get; init; }

    public required string? SourceCluster { get; init; }

    public required ILogger Logger { get; init; }

    public required TimeProvider Time { get; init; }

    public required RestoreTuning Tuning { get; init; }

    public required CheckpointWriter Checkpoints { get; init; }

    public required IProgress<RestoreProgressUpdate>? Progress { get; init; }

    public required long StartTimestamp { get; init; }

    private long _lastReportTimestamp;
    private long _lastReportRecords = -1;

    /// <summary>Reports a snapshot computed from the partition states.</summary>
    public void ReportProgress(IReadOnlyList<PartitionState>? states, RestoreStage stage)
    {
        if (Progress is null) return;
        var byTopic = new Dictionary<string, (long Records, long Bytes)>(StringComparer.Ordinal);
        if (states is not null)
        {
            foreach (var s in states)
            {
                var bytes = s.AlreadyComplete ? s.Plan.ByteCount : s.Bytes;
                byTopic.TryGetValue(s.Plan.TargetTopic, out var acc);
                byTopic[s.Plan.TargetTopic] = (acc.Records + s.Done, acc.Bytes + bytes);
            }
        }
        var topics = Plan.Topics.Select(t =>
        {
            byTopic.TryGetValue(t.TargetTopic, out var done);
            return new TopicProgress(t.TargetTopic, done.Records, t.RecordCount, done.Bytes, t.ByteCount);
        }).ToList();
        var records = topics.Sum(t => t.RecordsDone);
        var now = Time.GetTimestamp();
        var rate = 0.0;
        if (_lastReportRecords >= 0)
        {
            var seconds = Time.GetElapsedTime(_lastReportTimestamp, now).TotalSeconds;
            if (seconds > 0) rate = Math.Max(0, records - _lastReportRecords) / seconds;
        }
        _lastReportTimestamp = now;
        _lastReportRecords = records;
        var progress = new RestoreProgress(records, Plan.TotalRecords, topics.Sum(t => t.BytesDone), Plan.TotalBytes, new ValueList<TopicProgress>(topics));
        Progress.Report(new RestoreProgressUpdate(stage, progress, rate, Time.GetElapsedTime(StartTimestamp, now)));
    }
}

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

/// <summary>Maps exceptions from storage and decoding to user-facing reasons; null for bugs.</summary>
internal static class RestoreFailures
{
    public static KafkaRestoredException? Classify(Exception e) => e switch
    {
        KafkaRestoredException k => k,
        IOException or HttpRequestException or Amazon.Runtime.AmazonServiceException =>
            new KafkaRestoredException("StorageUnavailable",
                $"reading the backup failed: {e.Message}; check that the storage is reachable and readable. What was written is checkpointed: the next attempt resumes from there.", e),
        _ => null,
    };
}
