namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Status of a KafkaBackup: its schedule, the run in progress, the last completed backup and the last retention pass.</summary>
public sealed record KafkaBackupStatus : ResourceStatus
{
    /// <summary>The slot of the run in progress or of the last run (a missed slot is run once, at the daemon's start).</summary>
    public DateTimeOffset? LastScheduleTime { get; init; }

    /// <summary>When the next scheduled run is due.</summary>
    public DateTimeOffset? NextScheduleTime { get; init; }

    /// <summary>While Running: the backup being written and its stage.</summary>
    public BackupRunStatus? CurrentBackup { get; init; }

    /// <summary>The last backup this resource completed.</summary>
    public BackupRunStatus? LastBackup { get; init; }

    /// <summary>What the last retention pass deleted (or, dry run, would have deleted).</summary>
    public RetentionStatus? LastRetention { get; init; }

    /// <summary>A new stage of the run is news, published at once like a phase change, not throttled like progress.</summary>
    public override bool IsNewsComparedTo(ResourceStatus published) =>
        published is not KafkaBackupStatus p || p.CurrentBackup?.Stage != CurrentBackup?.Stage || p.CurrentBackup?.BackupId != CurrentBackup?.BackupId;
}
