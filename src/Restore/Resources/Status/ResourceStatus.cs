using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

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
        ResourceKinds.KafkaBackup => new KafkaBackupStatus(),
        ResourceKinds.KafkaRestoreDrill => new KafkaRestoreDrillStatus(),
        // A document of our apiVersion with a kind we do not serve still gets a status file saying so (SPEC 2).
        _ => new UnservedKindStatus(),
    };

    /// <summary>Whether this live status differs from <paramref name="published"/> in a way worth a commit at once (a stage change), not throttled as progress.</summary>
    public virtual bool IsNewsComparedTo(ResourceStatus published) => false;

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
