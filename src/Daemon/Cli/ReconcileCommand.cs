using System.CommandLine;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored reconcile --once</c>: one full reconciliation for cron and CI — fetch, plan,
/// run what is due, wait for the work it started (retries included), commit status, exit. Exit 0
/// when synced and nothing it touched failed, 1 otherwise, 2 for bad settings.
/// </summary>
internal static class ReconcileCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var once = new Option<bool>("--once") { Description = "Run one full cycle and wait for the work it started, then exit (required: the polling daemon is 'run')" };
        var command = new Command("reconcile", "Reconcile the config repository once: run new resources, commit their status, exit") { once };
        command.WithSettings();
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (!parse.GetValue(once))
            {
                error.WriteLine("kafka-restored reconcile: give --once (the polling daemon is 'kafka-restored run').");
                return Program.UsageError;
            }
            if (CliSupport.Settings(parse, "reconcile", error) is not { } options) return CliSupport.ConfigError;
            // Without a leadership of its own it would act beside the deployment's leader: refused, not ignored.
            if (ReconcilerSettings.Bind<CoordinationOptions>(ReconcilerSettings.BuildConfiguration(parse.GetValue(ReconcilerSettings.Config), new Dictionary<string, string?>())).Enabled)
            {
                error.WriteLine("kafka-restored reconcile: CoordinationBootstrapServers is set (distributed mode), where only the leading 'kafka-restored run' reconciles; " +
                    "use 'run', or unset CoordinationBootstrapServers for a single-instance reconcile.");
                return CliSupport.ConfigError;
            }
            CliSupport.WarnWithoutPolicy(options, "reconcile", error);
            using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
            var logger = logging.CreateLogger("kafka-restored");
            StateStore store;
            try
            {
                store = StateStore.Open(options.StateDirectory);
            }
            catch (StateStoreException e)
            {
                return CliSupport.StoreError("reconcile", e, error);
            }
            using (store)
            {
                using var git = new GitSource(options, logger);
                await using var loop = ReconcileLoop.Create(options, store, git, Runners.All(), TimeProvider.System, logger);
                var ok = await loop.RunUntilIdleAsync(ct);
                foreach (var r in store.Resources(includeTombstones: false))
                    output.WriteLine($"{r.Id.Kind} {r.Id.ShortName}: {r.Phase} (generation {r.Generation})");
                if (loop.Counters.LastError is { } e) error.WriteLine($"kafka-restored reconcile: {e}");
                if (loop.Counters.LastPushError is { } p) error.WriteLine($"kafka-restored reconcile: status not pushed: {p}");
                return ok ? 0 : 1;
            }
        });
        return command;
    }
}
