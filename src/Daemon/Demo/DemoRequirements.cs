namespace KafkaRestored.Daemon.Demo;

/// <summary>What the demo must provide for the rewritten config repo: backups by id, with their topics.</summary>
public sealed record DemoRequirements(IReadOnlyCollection<string> BackupIds, IReadOnlyCollection<string> ConsumerGroups, IReadOnlyCollection<string> TargetTopics, IReadOnlyCollection<string> ResourceFiles)
{
    /// <summary>Topics the KafkaBackups read: they must exist on the embedded cluster and hold records.</summary>
    public IReadOnlyCollection<string> LiveTopics { get; init; } = [];

    /// <summary>Files (relative to the repo) holding a KafkaBackup or a KafkaRestoreDrill, in examples/repo order (backups/ before drills/).</summary>
    public IReadOnlyList<string> ScheduledFiles { get; init; } = [];
}
