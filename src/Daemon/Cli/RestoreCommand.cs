using System.CommandLine;
using System.Globalization;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored restore -f FILE</c>: runs one KafkaRestore now, without Git. Progress goes to
/// stderr (a bar on a terminal, plain lines otherwise); the final status goes to stdout as YAML.
/// Exit 0 when Completed, 1 when Failed (running it again resumes), 2 on usage errors, 130 when stopped
/// by SIGINT or SIGTERM (after flushing and checkpointing; it prints the command that resumes).
/// </summary>
internal static class RestoreCommand
{
    /// <summary>Exit code of a failed restore (job.activeDeadlineSeconds passed included), or of a file that does not hold exactly one valid KafkaRestore.</summary>
    public const int Failed = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create() => OneShotCommand.Create("restore",
        "Run one KafkaRestore now, without Git: plan, preflight, restore exactly once, verify; print the final status as YAML. " +
        "Exit 0 completed, 1 failed (job.activeDeadlineSeconds passed included), 2 usage error, 130 stopped by Ctrl+C (SIGINT) or SIGTERM: " +
        "it flushes, saves the checkpoint and prints the command that resumes (a second Ctrl+C exits at once)",
        "YAML file holding the KafkaRestore to run (exactly one)", "cli-restores",
        "Folder for checkpoints and offset maps; running the same restore again with it resumes", RunAsync);

    /// <summary>
    /// Loads the file, runs the restore and prints; returns the exit code. The Policy of
    /// <paramref name="configFile"/>'s settings, when there is one, limits what the restore may reach;
    /// internal target topics need a policy allowing them in any case.
    /// </summary>
    public static async Task<int> RunAsync(string file, string? configFile, string stateDirectory, string? secretsDirectory,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        var one = await OneShotResource.LoadAsync("restore", ResourceKinds.KafkaRestore, file, configFile, error);
        if (one.Resource is not KafkaRestore restore) return one.ExitCode;
        var policy = one.Policy;

        var state = new FileRestoreStateStore(stateDirectory);
        var env = new RestoreEnvironment(new SecretStore(secretsDirectory), state, restore.Id.ShortName) { Policy = policy };
        var snapshots = new FileOffsetSnapshotStore(Path.Combine(stateDirectory, "snapshots"));
        var progress = new RestoreConsoleProgress(error, interactive: !Console.IsErrorRedirected);
        var marker = new OffsetResetMarker(Path.Combine(state.RunDirectory(env.RestoreKey), "offset-reset-groups"), error);
        // job.activeDeadlineSeconds bounds the run as it bounds a daemon attempt; a signal (ct) stops it too.
        using var deadline = restore.Spec.Job.ActiveDeadlineSeconds is { } seconds ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds)) : new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        await using var interrupted = ct.Register(() => progress.Interrupt(
            "kafka-restored restore: interrupted: stopping: flushing what is in flight and saving the checkpoint (press Ctrl+C again to exit at once)"));
        // The first status rendered builds System.Text.Json's and YamlDotNet's metadata for the status types by
        // reflection: about a quarter of a second, measured between "finished" and the status on stdout. Done here on
        // the side, it overlaps the restore's waits on the brokers instead of delaying the result.
        var warmUp = Task.Run(() => StatusFiles.RenderStatus(restore.Id, WarmUpStatus()), CancellationToken.None);
        var run = await new KafkaRestoreWorkflow(env, snapshots)
        {
            Progress = progress,
            BeforeWriting = async (snapshotId, _) =>
            {
                if (snapshotId is not null) await error.WriteLineAsync($"Rollback snapshot '{snapshotId}' in {snapshots.Directory}");
                await error.WriteLineAsync($"Restoring {restore.Id.ShortName} from backup {restore.Spec.BackupId} (state in {state.RunDirectory(env.RestoreKey)})");
            },
            Restored = _ => progress.Finish(),
            SelectResetGroups = marker.RemainingAsync,
            OffsetsReset = marker.RecordAsync,
        }.RunAsync(restore, stop.Token);
        progress.Finish();
        if (run.SnapshotError is { } e)
        {
            // With rollback.enabled the snapshot goes to <state-dir>/snapshots/<id>.yaml (where `offsets rollback -f` reads it) before anything is written.
            await error.WriteLineAsync($"kafka-restored restore: the rollback snapshot could not be taken, so nothing was restored: {e.Reason}: {e.Message}");
            return Failed;
        }
        foreach (var note in run.Notes) await error.WriteLineAsync("note: " + note);

        var stopped = run.Restore.Outcome != RestoreOutcome.Completed && (ct.IsCancellationRequested || deadline.IsCancellationRequested);
        try
        {
            await warmUp;
        }
        catch (Exception)
        {
            // Only a head start: rendering the real status below reports whatever went wrong.
        }
        var status = Status(restore, run, progress.Last, deadline.IsCancellationRequested && !ct.IsCancellationRequested);
        if (Conditions.Find(status.Conditions, ConditionTypes.Ready)?.Reason == RestoreOffsets.OffsetResetIncompleteReason)
            await error.WriteLineAsync("warning: " + Conditions.Find(status.Conditions, ConditionTypes.Ready)!.Message);
        await output.WriteAsync(StatusFiles.RenderStatus(restore.Id, status));
        await output.FlushAsync(CancellationToken.None);
        if (stopped)
        {
            var why = ct.IsCancellationRequested ? "interrupted" : $"stopped at job.activeDeadlineSeconds={restore.Spec.Job.ActiveDeadlineSeconds}";
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"kafka-restored restore: {why}: {run.Restore.RestoredRecords:N0} of {run.Restore.Plan?.TotalRecords ?? 0:N0} records restored, checkpoint saved in {state.RunDirectory(env.RestoreKey)}."));
            await error.WriteLineAsync("To resume, run: " + ResumeCommand(file, configFile, stateDirectory, secretsDirectory));
        }
        if (ct.IsCancellationRequested && run.Restore.Outcome != RestoreOutcome.Completed) return InterruptSignals.ExitCode;
        return run.Restore.Outcome == RestoreOutcome.Completed ? 0 : Failed;
    }

    /// <summary>A status with every part a restore's final status has (condition, topics, progress), for <c>warmUp</c>.</summary>
    private static KafkaRestoreStatus WarmUpStatus()
    {
        var now = DateTimeOffset.UtcNow;
        return new KafkaRestoreStatus
        {
            Phase = ResourcePhase.Completed,
            StartTime = now,
            CompletionTime = now,
            Conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.True, "RestoreCompleted", "warm-up", now, 1),
            RestoredTopics = new ValueList<RestoredTopicStatus>([new RestoredTopicStatus("t", 1)]),
            RestoredRecords = 1,
            Progress = new RestoreProgress(1, 1, 1, 1, new ValueList<TopicProgress>([new TopicProgress("t", 1, 1, 1, 1)])),
        };
    }

    /// <summary>The command line that runs this restore again with the same state, which resumes it.</summary>
    internal static string ResumeCommand(string file, string? configFile, string stateDirectory, string? secretsDirectory)
    {
        var words = new List<string> { "kafka-restored", "restore", "-f", Path.GetFullPath(file), "--state-dir", Path.GetFullPath(stateDirectory) };
        if (secretsDirectory is not null) words.AddRange(["--secrets-dir", Path.GetFullPath(secretsDirectory)]);
        if (configFile is not null) words.AddRange(["--config", Path.GetFullPath(configFile)]);
        return string.Join(' ', words.Select(ShellWord));
    }

    /// <summary><paramref name="word"/> as a POSIX shell reads it back: bare when harmless, else in single quotes.</summary>
    private static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-=:@%+,".Contains(c, StringComparison.Ordinal))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>The status of this run as the daemon would write it to status/kafkarestore/NS/NAME.yaml (one attempt, generation 1).</summary>
    internal static KafkaRestoreStatus Status(KafkaRestore restore, KafkaRestoreRun run, RestoreProgress? lastProgress = null, bool deadlineExceeded = false)
    {
        var result = run.Restore;
        var completed = result.Outcome == RestoreOutcome.Completed;
        var (reason, message) = deadlineExceeded && !completed
            ? (ConditionReasons.DeadlineExceeded, $"The run took longer than job.activeDeadlineSeconds={restore.Spec.Job.ActiveDeadlineSeconds} and was stopped: {result.Message}")
            : run.Ready();
        var conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready,
            completed ? ConditionStatus.True : ConditionStatus.False, reason, message, result.CompletionTime, 1);
        if (restore.Spec.PodTemplate is not null)
        {
            conditions = Conditions.Set(conditions, ConditionTypes.IgnoredFields, ConditionStatus.True, ConditionReasons.PodTemplateIgnored,
                "spec.podTemplate has no meaning outside Kubernetes and was ignored", result.CompletionTime, 1);
        }
        return run.Details(lastProgress) with
        {
            Phase = completed ? ResourcePhase.Completed : ResourcePhase.Failed,
            StartTime = result.StartTime,
            CompletionTime = result.CompletionTime,
            ObservedGeneration = 1,
            Attempts = 1,
            Conditions = conditions,
        };
    }
}
