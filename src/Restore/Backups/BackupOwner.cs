namespace KafkaRestored.Restore.Backups;

/// <summary>The resource that wrote a backup (<c>{backupId}/kafka-restored-owner.json</c>): what retention and a slot restart check before deleting.</summary>
/// <param name="Kind">Always KafkaBackup today.</param>
/// <param name="Namespace">The resource's namespace.</param>
/// <param name="Name">The resource's name.</param>
/// <param name="BackupId">The backup id, repeated so a copied folder does not pass for another.</param>
/// <param name="ScheduledTime">The schedule slot, unix milliseconds.</param>
public sealed record BackupOwner(string Kind, string Namespace, string Name, string BackupId, long ScheduledTime);
