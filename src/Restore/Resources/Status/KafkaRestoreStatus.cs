using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Status of a KafkaRestore (SPEC 3.1).</summary>
public sealed record KafkaRestoreStatus : ResourceStatus
{
    /// <summary>Records written and verified.</summary>
    public long? RestoredRecords { get; init; }

    /// <summary>Bytes (keys, values, headers) of the records restored; kept after completion for the restored-bytes metric.</summary>
    public long? RestoredBytes { get; init; }

    /// <summary>Records per restored (target) topic.</summary>
    public ValueList<RestoredTopicStatus> RestoredTopics { get; init; } = ValueList<RestoredTopicStatus>.Empty;

    /// <summary>Outcome of the offset reset after the restore, when enabled.</summary>
    public OffsetResetStatus? OffsetResetStatus { get; init; }

    /// <summary>The rollback snapshot taken before writing, when enabled.</summary>
    public string? RollbackSnapshotId { get; init; }

    /// <summary>Ranges the source had lost before the backup ran (known loss, not a failure).</summary>
    public ValueList<GapStatus> Gaps { get; init; } = ValueList<GapStatus>.Empty;

    /// <summary>While Running: how far the restore got.</summary>
    public RestoreProgress? Progress { get; init; }
}
