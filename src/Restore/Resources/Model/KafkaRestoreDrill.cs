namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A restore drill: on a schedule, restores a backup into scratch topics, verifies every record and measures RTO and RPO (our own kind).</summary>
public sealed record KafkaRestoreDrill(ObjectMeta Metadata, KafkaRestoreDrillSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaRestoreDrill;
}
