namespace KafkaRestored.Restore.Resources;

/// <summary>Lifecycle phase of a resource (SPEC 3.1).</summary>
public enum ResourcePhase
{
    /// <summary>Recorded, not started.</summary>
    Pending,

    /// <summary>An attempt is executing (or waiting to retry).</summary>
    Running,

    /// <summary>Finished successfully; never re-run unless the rerun annotation changes.</summary>
    Completed,

    /// <summary>Finished unsuccessfully.</summary>
    Failed,
}

/// <summary>
/// Status shared by every kind. The reconciler owns these fields; runners fill in the kind-specific
/// ones of the derived records.
/// </summary>
public abstract record ResourceStatus
{
    /// <summary>Lifecycle phase.</summary>
    public ResourcePhase Phase { get; init; }

    /// <summary>When the current generation's first attempt started.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>When the current generation reached Completed or Failed.</summary>
    public DateTimeOffset? CompletionTime { get; init; }

    /// <summary>Conditions, metav1.Condition style.</summary>
    public ValueList<Condition> Conditions { get; init; } = ValueList<Condition>.Empty;

    /// <summary>The generation this status describes (a new one on each accepted spec change or rerun).</summary>
    public long ObservedGeneration { get; init; }

    /// <summary>The commit whose spec was executed.</summary>
    public string? SourceRevision { get; init; }

    /// <summary>Attempts made for the current generation.</summary>
    public int Attempts { get; init; }

    /// <summary>An empty status of the record type matching <paramref name="kind"/>; <see cref="UnservedKindStatus"/> for a kind this product does not serve.</summary>
    public static ResourceStatus Empty(string kind) => kind switch
    {
        ResourceKinds.KafkaRestore => new KafkaRestoreStatus(),
        ResourceKinds.KafkaOffsetReset => new KafkaOffsetResetStatus(),
        ResourceKinds.KafkaOffsetRollback => new KafkaOffsetRollbackStatus(),
        // A document of our apiVersion with a kind we do not serve still gets a status file saying so (SPEC 2).
        _ => new UnservedKindStatus(),
    };

    /// <summary>
    /// This status with the kind-specific fields of <paramref name="details"/> (a status of the same
    /// kind from a runner) and the shared fields of this one.
    /// </summary>
    public ResourceStatus WithDetailsFrom(ResourceStatus details)
    {
        if (details.GetType() != GetType())
            throw new ArgumentException($"Status details of type {details.GetType().Name} do not match {GetType().Name}.", nameof(details));
        return details with
        {
            Phase = Phase,
            StartTime = StartTime,
            CompletionTime = CompletionTime,
            Conditions = Conditions,
            ObservedGeneration = ObservedGeneration,
            SourceRevision = SourceRevision,
            Attempts = Attempts,
        };
    }
}

/// <summary>Status of a document whose kind this product does not serve (UnknownKind): the shared fields only, never executed.</summary>
public sealed record UnservedKindStatus : ResourceStatus;

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

/// <summary>Records restored into one target topic.</summary>
public sealed record RestoredTopicStatus(string Name, long Records);

/// <summary>A range of offsets missing from the backup: [StartOffset, EndOffset).</summary>
public sealed record GapStatus(string Topic, int Partition, long StartOffset, long EndOffset, string Reason);

/// <summary>Offset reset outcome: groups reset and per-group failures.</summary>
public sealed record OffsetResetStatus(ResourcePhase Phase, ValueList<string> GroupsReset, ValueList<GroupFailure> GroupsFailed);

/// <summary>A consumer group that could not be reset or rolled back, and why.</summary>
public sealed record GroupFailure(string Group, string Reason, string Message);

/// <summary>Progress of a running restore: records and bytes done and total, overall and per topic.</summary>
public sealed record RestoreProgress(long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal, ValueList<TopicProgress> Topics)
{
    /// <summary>Percent of records done, 0-100, for display.</summary>
    public double Percent => RecordsTotal <= 0 ? 0 : Math.Min(100.0, 100.0 * RecordsDone / RecordsTotal);
}

/// <summary>Progress of one topic.</summary>
public sealed record TopicProgress(string Name, long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal);

/// <summary>Status of a KafkaOffsetReset (SPEC 3.3).</summary>
public sealed record KafkaOffsetResetStatus : ResourceStatus
{
    /// <summary>Groups whose offsets were reset.</summary>
    public ValueList<string> GroupsReset { get; init; } = ValueList<string>.Empty;

    /// <summary>Groups left untouched, each with the reason.</summary>
    public ValueList<GroupFailure> GroupsFailed { get; init; } = ValueList<GroupFailure>.Empty;

    /// <summary>Snapshot taken before the reset, when snapshotBeforeReset is enabled.</summary>
    public string? SnapshotId { get; init; }
}

/// <summary>Status of a KafkaOffsetRollback (SPEC 3.2).</summary>
public sealed record KafkaOffsetRollbackStatus : ResourceStatus
{
    /// <summary>The snapshot rolled back to or taken.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>Groups whose offsets were re-committed from the snapshot (operation rollback).</summary>
    public ValueList<string> GroupsRolledBack { get; init; } = ValueList<string>.Empty;

    /// <summary>Groups recorded in the snapshot (operation snapshot).</summary>
    public ValueList<string> GroupsSnapshotted { get; init; } = ValueList<string>.Empty;

    /// <summary>Groups that could not be rolled back, each with the reason.</summary>
    public ValueList<GroupFailure> GroupsFailed { get; init; } = ValueList<GroupFailure>.Empty;

    /// <summary>Result of reading the offsets back after a rollback.</summary>
    public OffsetVerification? Verification { get; init; }
}

/// <summary>Read-back check after a rollback: which committed offsets differ from the snapshot.</summary>
public sealed record OffsetVerification(bool Verified, string Message, ValueList<OffsetMismatch> Mismatches);

/// <summary>A partition whose committed offset after rollback is not the snapshot's.</summary>
public sealed record OffsetMismatch(string Group, string Topic, int Partition, long Expected, long? Actual);
