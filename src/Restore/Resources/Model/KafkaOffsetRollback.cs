namespace KafkaRestored.Restore.Resources.Model;

/// <summary>An offset snapshot or rollback (SPEC 3.2).</summary>
public sealed record KafkaOffsetRollback(ObjectMeta Metadata, KafkaOffsetRollbackSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaOffsetRollback;
}
