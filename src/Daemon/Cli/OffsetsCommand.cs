using System.CommandLine;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored offsets reset -f FILE</c> and <c>kafka-restored offsets rollback -f FILE</c>:
/// run one KafkaOffsetReset or KafkaOffsetRollback now, without Git, and print the status the
/// daemon would write, as YAML. Snapshots live in <c>&lt;state-dir&gt;/snapshots/&lt;id&gt;.yaml</c>.
/// Exit 0 when Completed, 1 when Failed, 2 on usage errors.
/// </summary>
internal static class OffsetsCommand
{
    /// <summary>Exit code of a failed run, or of a file that does not hold exactly one valid resource of the kind.</summary>
    public const int Failed = 1;

    /// <summary>Builds <c>offsets</c> with its two subcommands.</summary>
    public static Command Create() => new("offsets", "Reset or roll back consumer-group offsets now, without Git")
    {
        Subcommand("reset", ResourceKinds.KafkaOffsetReset,
            "Run one KafkaOffsetReset now: snapshot first when snapshotBeforeReset is on, reset each group, read back; print the status as YAML"),
        Subcommand("rollback", ResourceKinds.KafkaOffsetRollback,
            "Run one KafkaOffsetRollback now: take a snapshot (operation snapshot) or re-commit one and verify (operation rollback); print the status as YAML"),
    };

    private static Command Subcommand(string name, string kind, string description)
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = $"YAML file holding the {kind} to run (exactly one)",
            Required = true,
        };
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = $"Folder whose snapshots/ subfolder holds offset snapshots ({CliSupport.OneShotStateDefault("cli-offsets")})",
        };
        var secretsDir = CliSupport.SecretsDirectoryOption();
        var config = CliSupport.PolicyConfigOption();
        var command = new Command(name, description) { file, stateDir, secretsDir, config };
        command.SetAction((parseResult, ct) => RunAsync(
            kind,
            parseResult.GetValue(file)!,
            parseResult.GetValue(config),
            parseResult.GetValue(stateDir) ?? CliSupport.OneShotStateDirectory("cli-offsets"),
            parseResult.GetValue(secretsDir) ?? CliSupport.DefaultSecretsDirectory(),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error,
            ct));
        return command;
    }

    /// <summary>Loads the file, runs the resource and prints its status; returns the exit code. The Policy of <paramref name="configFile"/>'s settings, when there is one, limits what it may reach.</summary>
    public static async Task<int> RunAsync(string kind, string file, string? configFile, string stateDirectory, string? secretsDirectory,
        TextWriter output, TextWriter error, CancellationToken ct)
    {
        var verb = kind == ResourceKinds.KafkaOffsetReset ? "offsets reset" : "offsets rollback";
        var one = await OneShotResource.LoadAsync(verb, kind, file, configFile, error);
        if (one.Resource is not { } resource) return one.ExitCode;

        var store = new FileOffsetSnapshotStore(Path.Combine(stateDirectory, "snapshots"));
        var secrets = new SecretStore(secretsDirectory);
        var time = TimeProvider.System;
        var start = time.GetUtcNow();
        OffsetWorkflowResult run;
        try
        {
            run = await RunResourceAsync(resource, secrets, store, time, error, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Which groups were committed before the signal is not known here: say so rather than print a status.
            await error.WriteLineAsync(Interrupted(verb));
            return InterruptSignals.ExitCode;
        }
        // A run that could not start has no details: the status says Failed with its reason.
        var status = run.Details ?? ResourceStatus.Empty(kind) with { Phase = ResourcePhase.Failed };
        foreach (var note in run.Notes) await error.WriteLineAsync("note: " + note);

        var end = time.GetUtcNow();
        var ready = status.Phase == ResourcePhase.Completed;
        status = status with
        {
            StartTime = start,
            CompletionTime = end,
            Attempts = 1,
            Conditions = new ValueList<Condition>([new Condition(ConditionTypes.Ready, ready ? ConditionStatus.True : ConditionStatus.False, run.Reason, run.Message, end)]),
        };
        await output.WriteAsync(StatusFiles.RenderStatus(resource.Id, status));
        await output.FlushAsync(CancellationToken.None);
        if (ready) return 0;
        // A Kafka call cut short by the signal fails too: the signal is the reason.
        if (ct.IsCancellationRequested)
        {
            await error.WriteLineAsync(Interrupted(verb));
            return InterruptSignals.ExitCode;
        }
        return Failed;
    }

    private static string Interrupted(string verb) =>
        $"kafka-restored {verb}: interrupted: groups committed before the signal keep their new offsets, the others are unchanged; " +
        "check them (kafka-consumer-groups.sh --describe --group G) before running the command again.";

    /// <summary>Runs the reset or rollback, saying on stderr what it does.</summary>
    private static async Task<OffsetWorkflowResult> RunResourceAsync(KafkaResource resource, SecretStore secrets, FileOffsetSnapshotStore store,
        TimeProvider time, TextWriter error, CancellationToken ct)
    {
        OffsetWorkflowResult run;
        switch (resource)
        {
            case KafkaOffsetReset reset:
                await error.WriteLineAsync($"Resetting offsets: {reset.Id.ShortName} ({reset.Spec.Strategy}, {reset.Spec.ConsumerGroups.Count} group(s))");
                run = await OffsetWorkflow.ResetAsync(reset, secrets, store, time, ct);
                if (run.Details is KafkaOffsetResetStatus { SnapshotId: { } taken }) await error.WriteLineAsync($"Snapshot '{taken}' saved in {store.Directory}");
                break;
            case KafkaOffsetRollback rollback:
                await error.WriteLineAsync($"Offsets {rollback.Spec.Operation.ToString().ToLowerInvariant()}: {rollback.Id.ShortName} (snapshot '{rollback.Spec.SnapshotId}' in {store.Directory})");
                run = await OffsetWorkflow.RollbackAsync(rollback, secrets, store, time, ct);
                break;
            default:
                throw new InvalidOperationException("unexpected kind " + resource.Kind);
        }
        return run;
    }
}
