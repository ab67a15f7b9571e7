namespace KafkaRestored.Restore.Resources.Model;

/// <summary>
/// spec of a KafkaRestoreDrill. What to restore is either <see cref="BackupId"/> with <see cref="Storage"/>,
/// or <see cref="BackupRef"/> (a KafkaBackup's newest completed backup); validation guarantees exactly one.
/// </summary>
/// <param name="Schedule">The cron schedule as written (validated by <see cref="Scheduling.CronSchedule"/>).</param>
/// <param name="BackupId">The backup to restore, with <paramref name="Storage"/>.</param>
/// <param name="Storage">Where <paramref name="BackupId"/> lives.</param>
/// <param name="BackupRef">A KafkaBackup whose newest completed backup is restored.</param>
/// <param name="TargetCluster">The cluster the scratch topics are written to.</param>
/// <param name="TopicPrefix">Prefix of every scratch topic: source topic T is restored into TopicPrefix + T, never elsewhere.</param>
/// <param name="Topics">Backup topics to drill; null: every topic in the backup.</param>
/// <param name="Objectives">The recovery time and point objectives a passing drill meets.</param>
public sealed record KafkaRestoreDrillSpec(
    string Schedule,
    string? BackupId,
    StorageSpec? Storage,
    BackupRef? BackupRef,
    KafkaClusterSpec TargetCluster,
    string TopicPrefix,
    ValueList<string>? Topics,
    DrillObjectives Objectives)
{
    /// <summary>The parsed schedule (validated when the resource was read, so it always parses).</summary>
    public Scheduling.CronSchedule ParsedSchedule() =>
        Scheduling.CronSchedule.TryParse(Schedule, null, out var error) ?? throw new InvalidOperationException(error);

    /// <summary>The scratch topic a backup topic is restored into.</summary>
    public string ScratchTopic(string sourceTopic) => TopicPrefix + sourceTopic;
}
