using KafkaRestored.Restore.Backups.Kbak;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>One KafkaRestore of the nemesis workload: its backup's records, its target topic, and what happened to it.</summary>
internal sealed class NemesisRestore(int index, string target, bool fromS3, Dictionary<(string, int), IReadOnlyList<BackupRecord>> records)
{
    /// <summary>Namespace of every workload resource.</summary>
    public const string Namespace = "nemesis";

    /// <summary>Topic name inside the backups (each restore maps it to its own target).</summary>
    public const string SourceTopic = "orders";

    public string Name { get; } = $"nem-{index}";

    public string BackupId { get; } = $"backup-nem-{index}";

    public string Target { get; } = target;

    public bool FromS3 { get; } = fromS3;

    /// <summary>The backup's records per (source topic, partition), in offset order.</summary>
    public Dictionary<(string, int), IReadOnlyList<BackupRecord>> Records { get; } = records;

    public string File => $"restores/{Name}.yaml";

    public string StatusPath => $"status/kafkarestore/{Namespace}/{Name}.yaml";

    /// <summary>When the human committed it (null: not yet).</summary>
    public DateTime? CommittedAt { get; set; }

    /// <summary>Whether the human deletes it once it runs, to cancel it.</summary>
    public bool ToCancel { get; init; }

    /// <summary>The human's commit deleting it (null: never deleted).</summary>
    public string? DeleteCommit { get; set; }

    /// <summary>The target's end offsets when the status commit recorded the cancellation (null until seen).</summary>
    public long[]? EndsAtCancellation { get; set; }

    /// <summary>
    /// The status message of a restore the daemon failed because its target held records it did not write (more than its
    /// backup, or a last record shifted by repeats), after every broker went down while it ran: the mock cluster re-appends an
    /// idempotent producer's retried batch (docs/RELIABILITY.md). The daemon refusing to call that target restored is the
    /// behaviour under test; the target, each record's first copy taken, must still be the backup in order.
    /// </summary>
    public string? RefusedAfterReappend { get; set; }

    public override string ToString() => $"{Name} ({(FromS3 ? "s3" : "folder")} -> {Target}{(ToCancel ? ", to cancel" : "")})";
}
