using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>One retention pass of a KafkaBackup: the backups of this resource it deleted (or, dry run, would delete) and kept.</summary>
public sealed record RetentionStatus
{
    /// <summary>When the pass ran.</summary>
    public DateTimeOffset? Time { get; init; }

    /// <summary>spec.retention.dryRun: nothing was deleted, <see cref="Deleted"/> lists what would have been.</summary>
    public bool DryRun { get; init; }

    /// <summary>Backup ids deleted (or, dry run, that would be), oldest first.</summary>
    public ValueList<string> Deleted { get; init; } = ValueList<string>.Empty;

    /// <summary>Backup ids of this resource kept, oldest first (the newest is always among them).</summary>
    public ValueList<string> Kept { get; init; } = ValueList<string>.Empty;
}
