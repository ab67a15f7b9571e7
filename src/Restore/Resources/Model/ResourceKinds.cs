namespace KafkaRestored.Restore.Resources.Model;

/// <summary>The kinds this product reconciles, all under <see cref="ApiVersions.V1Alpha1"/>.</summary>
public static class ResourceKinds
{
    /// <summary>Restore topic data from a backup.</summary>
    public const string KafkaRestore = "KafkaRestore";

    /// <summary>Reset consumer-group offsets.</summary>
    public const string KafkaOffsetReset = "KafkaOffsetReset";

    /// <summary>Snapshot or roll back consumer-group offsets.</summary>
    public const string KafkaOffsetRollback = "KafkaOffsetRollback";

    /// <summary>Back up topics on a schedule, with retention.</summary>
    public const string KafkaBackup = "KafkaBackup";

    /// <summary>Restore a backup into scratch topics on a schedule, verify it and measure RTO/RPO.</summary>
    public const string KafkaRestoreDrill = "KafkaRestoreDrill";

    /// <summary>Every kind, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [KafkaRestore, KafkaOffsetReset, KafkaOffsetRollback, KafkaBackup, KafkaRestoreDrill];
}
