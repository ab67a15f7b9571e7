namespace KafkaRestored.Daemon.Demo;

/// <summary>What the demo must provide for the rewritten config repo: backups by id, with their topics.</summary>
public sealed record DemoRequirements(IReadOnlyCollection<string> BackupIds, IReadOnlyCollection<string> ConsumerGroups, IReadOnlyCollection<string> TargetTopics, IReadOnlyCollection<string> ResourceFiles);
