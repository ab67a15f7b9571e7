using KafkaRestored.Reconciler.Execution;

namespace KafkaRestored.Daemon.Cli;

/// <summary>The runners this build has, one per kind it can execute.</summary>
internal static class Runners
{
    /// <summary>Every runner.</summary>
    public static IReadOnlyList<IResourceRunner> All() => [new KafkaRestoreRunner(), OffsetRunner.Reset, OffsetRunner.Rollback, new KafkaBackupRunner(), new KafkaRestoreDrillRunner()];
}
