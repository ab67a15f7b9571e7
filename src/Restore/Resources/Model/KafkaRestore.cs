namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A restore of topic data from a backup (SPEC 3.1).</summary>
public sealed record KafkaRestore(ObjectMeta Metadata, KafkaRestoreSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaRestore;
}
