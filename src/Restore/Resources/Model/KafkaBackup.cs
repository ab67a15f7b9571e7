namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Scheduled backups of topics into storage, with retention (OSO's KafkaBackup kind; docs/resources.md#kafkabackup).</summary>
public sealed record KafkaBackup(ObjectMeta Metadata, KafkaBackupSpec Spec) : KafkaResource(Metadata)
{
    /// <inheritdoc />
    public override string Kind => ResourceKinds.KafkaBackup;
}
