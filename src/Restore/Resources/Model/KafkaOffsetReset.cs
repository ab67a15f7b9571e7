namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A standalone consumer-group offset reset (SPEC 3.3).</summary>
public sealed record KafkaOffsetReset(ObjectMeta Metadata, KafkaOffsetResetSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaOffsetReset;
}
