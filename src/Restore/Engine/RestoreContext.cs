using Confluent.Kafka;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
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
        var partitions = new List<PartitionProgress>(states?.Count ?? 0);
        if (states is not null)
        {
            foreach (var s in states)
            {
                var bytes = s.AlreadyComplete ? s.Plan.ByteCount : s.Bytes;
                byTopic.TryGetValue(s.Plan.TargetTopic, out var acc);
                byTopic[s.Plan.TargetTopic] = (acc.Records + s.Done, acc.Bytes + bytes);
                partitions.Add(new PartitionProgress(s.Plan.TargetTopic, s.Plan.Partition, s.Done, s.Plan.RecordCount, bytes, s.Plan.ByteCount));
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
        Progress.Report(new RestoreProgressUpdate(stage, progress, rate, Time.GetElapsedTime(StartTimestamp, now)) { Partitions = partitions });
    }
}
