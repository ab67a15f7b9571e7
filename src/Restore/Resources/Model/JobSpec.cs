namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Retry, deadline and retention of a run.</summary>
public sealed record JobSpec(int BackoffLimit, long? ActiveDeadlineSeconds, long? TtlSecondsAfterFinished)
{
    /// <summary>Kubernetes' default backoffLimit.</summary>
    public static JobSpec Default { get; } = new(3, null, null);
}
