using System.CommandLine;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored plan</c>: what the next cycle would do, without side effects — it fetches into
/// a temporary clone, reads the state store read-only, and prints one line per action with the why.
/// </summary>
internal static class PlanCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var all = new Option<bool>("--all") { Description = "Also list resources that need nothing" };
        var command = new Command("plan", "Show what the next reconcile would do (no side effects)") { all };
        command.WithSettings();
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (CliSupport.Settings(parse, "plan", error) is not { } options) return CliSupport.ConfigError;
            IReadOnlyList<ResourceRecord> state = [];
            if (File.Exists(Path.Combine(options.StateDirectory, StateStore.FileName)))
            {
                try
                {
                    using var store = StateStore.Open(options.StateDirectory, readOnly: true);
                    state = store.Resources();
                }
                catch (StateStoreException e)
                {
                    return CliSupport.StoreError("plan", e, error);
                }
            }
            // A throwaway clone: plan must not touch the daemon's clone or state.
            var scratch = Path.Combine(Path.GetTempPath(), "kafka-restored-plan-" + Guid.NewGuid().ToString("N"));
            try
            {
                var planOptions = ReconcilerSettings.Load(parse);
                planOptions.StateDirectory = scratch;
                using var git = new GitSource(planOptions);
                string commit;
                try
                {
                    commit = await git.FetchAsync(ct);
                }
                catch (GitSourceException e)
                {
                    error.WriteLine($"kafka-restored plan: {e.Message}");
                    return 1;
                }
                var desired = new DesiredStateLoader(git, options.HostPolicy).Load(commit);
                var plan = Planner.Plan(desired, state, new PlanContext(DateTimeOffset.UtcNow, options.MaxConcurrentRestores, new HashSet<ResourceId>(),
                    SyncWindows.From(options.SyncWindows)));
                output.WriteLine($"Plan at {options.Branch} {commit[..12]} ({Plural.Of(desired.Resources.Count, "resource")}, {state.Count(s => !s.Tombstone)} in the state store):");
                foreach (var a in plan.Where(a => parse.GetValue(all) || a.Kind != PlanActionKind.Unchanged)) output.WriteLine("  " + a);
                var unchanged = plan.Count(a => a.Kind == PlanActionKind.Unchanged);
                if (unchanged > 0 && !parse.GetValue(all)) output.WriteLine($"  ({unchanged} unchanged; --all lists them)");
                foreach (var e in desired.FileErrors) output.WriteLine("  file problem: " + e);
                if (options.Policy is null) output.WriteLine("  no Policy in the settings: nothing is allowed, every resource is denied (docs/SECURITY.md)");
                foreach (var d in desired.Resources.Values.Where(d => d.IsDenied).OrderBy(d => d.Id.ToString(), StringComparer.Ordinal))
                {
                    foreach (var denial in d.Denials) output.WriteLine("  policy denies: " + denial);
                }
                return 0;
            }
            finally
            {
                TryDelete(scratch);
            }
        });
        return command;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (!Directory.Exists(dir)) return;
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
