using KafkaRestored.Restore.Failures;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Restore.Engine;

/// <summary>Log messages of the restore engine (source-generated).</summary>
internal static partial class RestoreLog
{
    [LoggerMessage(1, LogLevel.Information, "Restore of backup {BackupId}: {Topics} topics, {Partitions} partitions, {Records} records in the backup, {Workers} workers, {MemoryMiB} MiB buffer budget, producing through {Producer}")]
    public static partial void Planned(ILogger logger, string backupId, int topics, int partitions, long records, int workers, long memoryMiB, string producer);

    [LoggerMessage(2, LogLevel.Information, "Created topic {Topic} with {Partitions} partitions")]
    public static partial void TopicCreated(ILogger logger, string topic, int partitions);

    [LoggerMessage(3, LogLevel.Information, "Resuming {Topic}[{Partition}]: {Present} selected records already in the target, reading from segment at offset {SegmentStart}")]
    public static partial void Resuming(ILogger logger, string topic, int partition, long present, long segmentStart);

    [LoggerMessage(4, LogLevel.Warning, "Producer failed ({Error}); resuming with a new producer ({Restart} of {MaxRestarts})")]
    public static partial void ProducerRestart(ILogger logger, string error, int restart, int maxRestarts);

    [LoggerMessage(EventId = 5, Message = "Restore {Outcome}: {Reason}: {Message}")]
    public static partial void FinishedAt(ILogger logger, LogLevel level, RestoreOutcome outcome, string reason, string message);

    /// <summary>The end of a restore at its level: a failure warns when another attempt can help and is an error when none can.</summary>
    public static void Finished(ILogger logger, RestoreOutcome outcome, FailureReason? failure, string reason, string message) =>
        FinishedAt(logger, failure is null ? LogLevel.Information : failure.Retryable ? LogLevel.Warning : LogLevel.Error, outcome, reason, message);

    [LoggerMessage(6, LogLevel.Debug, "librdkafka {Facility}: {Message}")]
    public static partial void Client(ILogger logger, string facility, string message);

    [LoggerMessage(7, LogLevel.Warning, "Kafka client error: {Message}")]
    public static partial void ClientError(ILogger logger, string message);

    [LoggerMessage(9, LogLevel.Warning, "{Partitions} target partitions still grew after the old producer was closed (settle round {Round}); waiting before reading the resume point")]
    public static partial void TargetStillMoving(ILogger logger, int partitions, int round);

    [LoggerMessage(10, LogLevel.Warning, "Backup record {SourceTopic}[{Partition}] offset {Offset} has timestamp 0: librdkafka sends it (and any other stamped 0) to {TargetTopic} with the current time, as it cannot send a timestamp of 0")]
    public static partial void EpochStamped(ILogger logger, string sourceTopic, int partition, long offset, string targetTopic);

    [LoggerMessage(8, LogLevel.Warning, "Backup has a gap in {Topic}[{Partition}]: offsets {Start}..{End} were deleted at the source before the backup ({Reason})")]
    public static partial void Gap(ILogger logger, string topic, int partition, long start, long end, string reason);
}
