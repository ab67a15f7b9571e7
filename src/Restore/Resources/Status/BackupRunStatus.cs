using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>One scheduled run of a KafkaBackup: the backup id it writes, its stage, and what it stored.</summary>
public sealed record BackupRunStatus
{
    /// <summary>The backup written, <c>&lt;name&gt;-&lt;UTC yyyyMMdd-HHmmss of the slot&gt;</c>.</summary>
    public required string BackupId { get; init; }

    /// <summary>The schedule slot this run is for.</summary>
    public DateTimeOffset? ScheduledTime { get; init; }

    /// <summary>Writing, Retention or Completed.</summary>
    public required string Stage { get; init; }

    /// <summary>When writing started.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When the manifest was written.</summary>
    public DateTimeOffset? CompletionTime { get; init; }

    /// <summary>Records stored (so far, while writing).</summary>
    public long? Records { get; init; }

    /// <summary>Bytes of keys and values stored (so far, while writing).</summary>
    public long? Bytes { get; init; }

    /// <summary>Seconds from the start of writing to the manifest.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>An earlier attempt of this slot left an incomplete backup under the same id, which was deleted and written again from the start.</summary>
    public bool RestartedIncomplete { get; init; }

    /// <summary>The high watermark of every partition captured at the start: the backup holds each partition up to it.</summary>
    public ValueList<PartitionWatermark> HighWatermarks { get; init; } = ValueList<PartitionWatermark>.Empty;
}
