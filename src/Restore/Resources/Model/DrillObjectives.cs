namespace KafkaRestored.Restore.Resources.Model;

/// <summary>spec.objectives of a drill: the longest acceptable restore (RTO) and the oldest acceptable newest record (RPO); null: not checked.</summary>
public sealed record DrillObjectives(TimeSpan? Rto, TimeSpan? Rpo)
{
    /// <summary>No objectives.</summary>
    public static DrillObjectives None { get; } = new(null, null);
}
