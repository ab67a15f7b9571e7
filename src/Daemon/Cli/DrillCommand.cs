using System.CommandLine;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored drill -f FILE</c>: runs one KafkaRestoreDrill now, without Git or its schedule, and
/// prints its status (the drill report) as YAML. Exit 0 only when the drill passed (every record
/// verified, every objective met), 1 when it failed, 2 on usage errors, 130 when stopped by a signal.
/// </summary>
internal static class DrillCommand
{
    /// <summary>Exit code of a failed drill, or of a file that does not hold exactly one valid KafkaRestoreDrill.</summary>
    public const int Failed = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create() => OneShotCommand.Create("drill",
        "Run one KafkaRestoreDrill now, without Git: restore its backup into the scratch topics, read every record back " +
        "and compare count and checksum per partition, check objectives.rto and rpo, delete the scratch topics it created; print the drill report as YAML. " +
        "Exit 0 passed, 1 failed, 2 usage error, 130 stopped by Ctrl+C (SIGINT) or SIGTERM",
        "YAML file holding the KafkaRestoreDrill to run (exactly one)", "cli-drills",
        "Folder for the restore engine's working state, cleared before and after the drill", RunAsync);

    /// <summary>Loads the file (checked against the Policy of <paramref name="configFile"/> before anything is read), runs the drill and prints; returns the exit code.</summary>
    public static async Task<int> RunAsync(string file, string? configFile, string stateDirectory, string? secretsDirectory,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        var one = await OneShotResource.LoadAsync("drill", ResourceKinds.KafkaRestoreDrill, file, configFile, error);
        if (one.Resource is not KafkaRestoreDrill drill) return one.ExitCode;
        if (drill.Spec.BackupRef is { } backupRef)
        {
            // No repository here: which KafkaBackup the name means, and where its backups are, only the daemon knows.
            await error.WriteLineAsync($"kafka-restored drill: {drill.Id.ShortName} names its backup by spec.backupRef (KafkaBackup {backupRef.Namespace}/{backupRef.Name}), " +
                "which only the daemon resolves, from the repository; nothing was run. To run it by hand, replace spec.backupRef with spec.backupId and spec.storage: " +
                $"the KafkaBackup's storage, and its newest backup id (lastBackup.backupId in status/kafkabackup/{backupRef.Namespace}/{backupRef.Name}.yaml, or `kafka-restored status`).");
            return Failed;
        }
        var state = new FileRestoreStateStore(stateDirectory);
        var key = "drill-" + drill.Id.ShortName.Replace('/', '-');
        var env = new RestoreEnvironment(new SecretStore(secretsDirectory), state, key)
        {
            Policy = one.Policy,
        };
        await error.WriteLineAsync($"Drilling {drill.Id.ShortName}: backup {drill.Spec.BackupId} into scratch topics {drill.Spec.TopicPrefix}*");
        var run = await new KafkaRestoreDrillWorkflow(env, new DrillScratchLedger(state, key + "-scratch")).RunAsync(drill, ct);
        var status = run.Details([], drill.Spec.ParsedSchedule().Next(run.Report.CompletionTime)) with
        {
            Phase = run.Passed ? ResourcePhase.Completed : ResourcePhase.Failed,
            StartTime = run.Report.StartTime,
            CompletionTime = run.Report.CompletionTime,
            ObservedGeneration = 1,
            Attempts = 1,
            Conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, run.Passed ? ConditionStatus.True : ConditionStatus.False,
                run.Report.Reason, run.Report.Message, run.Report.CompletionTime, 1),
        };
        await output.WriteAsync(StatusFiles.RenderStatus(drill.Id, status));
        await output.FlushAsync(CancellationToken.None);
        if (run.Report.Cleanup is { } cleanup) await error.WriteLineAsync("cleanup: " + cleanup);
        if (run.Cancelled) return InterruptSignals.ExitCode;
        if (!run.Passed) await error.WriteLineAsync($"kafka-restored drill: {run.Report.Reason}: {run.Report.Message}");
        return run.Passed ? 0 : Failed;
    }
}
