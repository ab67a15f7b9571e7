using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.State;

/// <summary>
/// What the state store knows about one resource: the generation that ran or runs, its spec hash,
/// its live status and the status last chosen for Git. The store, not the clone, is authoritative.
/// </summary>
public sealed record ResourceRecord
{
    /// <summary>Identity.</summary>
    public required ResourceId Id { get; init; }

    /// <summary>Hash of the spec of the current generation (the one that ran or runs).</summary>
    public required string SpecHash { get; init; }

    /// <summary>Hash of the spec last seen in Git; differs from <see cref="SpecHash"/> after an edit not (yet) applied.</summary>
    public string? DesiredSpecHash { get; init; }

    /// <summary>Value of the rerun annotation for the current generation.</summary>
    public string? RerunValue { get; init; }

    /// <summary>Rerun annotation value last seen in Git.</summary>
    public string? DesiredRerunValue { get; init; }

    /// <summary>File that defined the resource (repository-relative), for messages.</summary>
    public string? SourceFile { get; init; }

    /// <summary>Retry, deadline and retention settings of the current generation.</summary>
    public JobSpec Job { get; init; } = JobSpec.Default;

    /// <summary>Live status: phase, attempts, conditions and kind-specific fields.</summary>
    public required ResourceStatus Status { get; init; }

    /// <summary>The status as it should appear in Git (progress is throttled); null before the first publish decision.</summary>
    public ResourceStatus? PublishedStatus { get; init; }

    /// <summary>When <see cref="PublishedStatus"/> was last chosen.</summary>
    public DateTimeOffset? PublishedAt { get; init; }

    /// <summary>First time the resource was seen.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Last time the phase changed or an attempt started or failed (the status command's LAST TRANSITION).</summary>
    public DateTimeOffset? PhaseChangedAt { get; init; }

    /// <summary>Start of the attempt in flight (activeDeadlineSeconds counts from here, across restarts).</summary>
    public DateTimeOffset? AttemptStartedAt { get; init; }

    /// <summary>When the next attempt is due after a failure, within job.backoffLimit.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The YAML was deleted: no status file, kept so history and snapshots stay explainable.</summary>
    public bool Tombstone { get; init; }

    /// <summary>Set with <see cref="Tombstone"/>: whether a running attempt was cancelled.</summary>
    public DeletionOutcome? Deletion { get; init; }

    /// <summary>Heavy per-run data (checkpoints, offset maps) was pruned after ttlSecondsAfterFinished.</summary>
    public bool RunDataPruned { get; init; }

    /// <summary>Phase of the live status.</summary>
    public ResourcePhase Phase => Status.Phase;

    /// <summary>Generation of the live status.</summary>
    public long Generation => Status.ObservedGeneration;

    /// <summary>Attempts of the live status.</summary>
    public int Attempts => Status.Attempts;
}
