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
/// Exit 0 when Completed, 1 when Failed (or cancelled: running it again resumes), 2 on usage errors.
/// </summary>
internal static class RestoreCommand
{
    /// <summary>Exit code of a failed (or cancelled) restore, or of a file that does not hold exactly one valid KafkaRestore.</summary>
    public const int Failed = 1;

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "YAML file holding the KafkaRestore to run (exactly one)",
            Required = true,
        };
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = $"Folder for checkpoints and offset maps; running the same restore again with it resumes ({CliSupport.OneShotStateDefault("cli-restores")})",
        };
        var secretsDir = CliSupport.SecretsDirectoryOption();
        var config = CliSupport.PolicyConfigOption();
        var command = new Command("restore", "Run one KafkaRestore now, without Git: plan, preflight, restore exactly once, verify; print the final status as YAML")
        {
            file,
            stateDir,
            secretsDir,
            config,
        };
        command.SetAction((parseResult, ct) => RunAsync(
            parseResult.GetValue(file)!,
            parseResult.GetValue(config),
            parseResult.GetValue(stateDir) ?? CliSupport.OneShotStateDirectory("cli-restores"),
            parseResult.GetValue(secretsDir) ?? CliSupport.DefaultSecretsDirectory(),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            ct));
        return command;
    }

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
        var progress = new ConsoleProgress(error, interactive: !Console.IsErrorRedirected);
        var marker = new OffsetResetMarker(Path.Combine(state.RunDirectory(env.RestoreKey), "offset-reset-groups"), error);
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
        }.RunAsync(restore, ct);
        if (run.SnapshotError is { } e)
        {
            // With rollback.enabled the snapshot goes to <state-dir>/snapshots/<id>.yaml (where `offsets rollback -f` reads it) before anything is written.
            await error.WriteLineAsync($"kafka-restored restore: the rollback snapshot could not be taken, so nothing was restored: {e.Reason}: {e.Message}");
            return Failed;
        }
        foreach (var note in run.Notes) await error.WriteLineAsync("note: " + note);

        var status = Status(restore, run);
        if (Conditions.Find(status.Conditions, ConditionTypes.Ready)?.Reason == RestoreOffsets.OffsetResetIncompleteReason)
            await error.WriteLineAsync("warning: " + Conditions.Find(status.Conditions, ConditionTypes.Ready)!.Message);
        await output.WriteAsync(StatusFiles.RenderStatus(restore.Id, status));
        await output.FlushAsync(CancellationToken.None);
        return run.Restore.Outcome == RestoreOutcome.Completed ? 0 : Failed;
    }

    /// <summary>The status of this run as the daemon would write it to status/kafkarestore/NS/NAME.yaml (one attempt, generation 1).</summary>
    internal static KafkaRestoreStatus Status(KafkaRestore restore, KafkaRestoreRun run)
    {
        var result = run.Restore;
        var completed = result.Outcome == RestoreOutcome.Completed;
        var (reason, message) = run.Ready();
        var conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready,
            completed ? ConditionStatus.True : ConditionStatus.False, reason, message, result.CompletionTime, 1);
        if (restore.Spec.PodTemplate is not null)
        {
            conditions = Conditions.Set(conditions, ConditionTypes.IgnoredFields, ConditionStatus.True, ConditionReasons.PodTemplateIgnored,
                "spec.podTemplate has no meaning outside Kubernetes and was ignored", result.CompletionTime, 1);
        }
        return run.Details() with
        {
            Phase = completed ? ResourcePhase.Completed : ResourcePhase.Failed,
            StartTime = result.StartTime,
            CompletionTime = result.CompletionTime,
            ObservedGeneration = 1,
            Attempts = 1,
            Conditions = conditions,
        };
    }

    /// <summary>Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.</summary>
    private sealed class ConsoleProgress(TextWriter error, bool interactive) : IProgress<RestoreProgressUpdate>
    {
        private readonly Lock _gate = new();
        private readonly TimeSpan _plainInterval = TimeSpan.FromSeconds(2);
        private long _lastPlain = long.MinValue;
        private RestoreStage? _lastStage;
        private bool _barDrawn;

        public void Report(RestoreProgressUpdate value)
        {
            lock (_gate)
            {
                var p = value.Progress;
                var pct = p.RecordsTotal > 0 ? Math.Min(100.0, 100.0 * p.RecordsDone / p.RecordsTotal) : 100.0;
                var text = string.Create(CultureInfo.InvariantCulture,
                    $"{value.Stage.ToString().ToLowerInvariant()}: {p.RecordsDone:N0}/{p.RecordsTotal:N0} records ({pct:0.0}%), {p.BytesDone / 1048576.0:0.0} MiB, {value.RecordsPerSecond:N0} records/s, {value.Elapsed:hh\\:mm\\:ss}");
                if (interactive)
                {
                    const int width = 30;
                    var filled = (int)(pct / 100 * width);
                    error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {text}\u001b[K");
                    error.Flush();
                    _barDrawn = true;
                    return;
                }
                var now = Environment.TickCount64;
                if (value.Stage != _lastStage || now - _lastPlain >= _plainInterval.TotalMilliseconds)
                {
                    error.WriteLine(text);
                    _lastPlain = now;
                    _lastStage = value.Stage;
                }
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                if (_barDrawn) error.WriteLine();
                _barDrawn = false;
            }
        }
    }
}
