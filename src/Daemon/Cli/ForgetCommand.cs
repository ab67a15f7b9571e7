using System.CommandLine;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored forget NAME [--kind KIND]</c>: deletes one resource's saved state (record, checkpoints,
/// offset maps) so the daemon treats the resource as new on its next start. Needs the writer lock, so the
/// daemon must be stopped. Offset snapshots are kept.
/// </summary>
internal static class ForgetCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The resource: name or namespace/name (as `status` prints it)" };
        var kind = new Option<string?>("--kind") { Description = "KafkaRestore, KafkaOffsetReset or KafkaOffsetRollback, when the name is not unique" };
        var command = new Command("forget",
            "Delete one resource's saved state (phase, checkpoints, offset maps) so it runs as new; stop the daemon first")
        { name, kind };
        command.WithSettings();
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (CliSupport.Settings(parse, "forget", error, needRepository: false) is not { } options) return CliSupport.ConfigError;
            var wanted = parse.GetValue(name)!;
            var wantedKind = parse.GetValue(kind);
            if (wantedKind is not null && !ResourceKinds.All.Contains(wantedKind))
            {
                error.WriteLine($"kafka-restored forget: --kind '{wantedKind}' is not one of {string.Join(", ", ResourceKinds.All)}.");
                return CliSupport.ConfigError;
            }
            try
            {
                if (!File.Exists(Path.Combine(Path.GetFullPath(options.StateDirectory), StateStore.FileName)))
                {
                    error.WriteLine($"kafka-restored forget: no state store in {options.StateDirectory}: nothing to forget (check --state-dir).");
                    return 1;
                }
                using var store = StateStore.Open(options.StateDirectory);
                var matches = store.Resources()
                    .Where(r => (r.Id.Name == wanted || r.Id.ShortName == wanted) && (wantedKind is null || r.Id.Kind == wantedKind))
                    .ToList();
                if (matches.Count == 0)
                {
                    error.WriteLine($"kafka-restored forget: no resource named '{wanted}'{(wantedKind is null ? "" : $" of kind {wantedKind}")} in {options.StateDirectory} (`kafka-restored status --deleted` lists them).");
                    return 1;
                }
                if (matches.Count > 1)
                {
                    error.WriteLine($"kafka-restored forget: '{wanted}' names {Plural.Of(matches.Count, "resource")}: {string.Join(", ", matches.Select(m => m.Id))}. Give namespace/name and --kind.");
                    return 1;
                }
                var record = matches[0];
                var deleted = store.Forget(record.Id);
                output.WriteLine($"Forgot {record.Id} (was {record.Phase}{(record.Tombstone ? ", deleted from Git" : "")}): {deleted} documents removed from {store.Path}.");
                if (!record.Tombstone)
                {
                    output.WriteLine("Its YAML is still in the config repo: the daemon runs it as a new resource when it next starts. " +
                        "A KafkaRestore checks again that its target partitions are empty (unless onExistingData: append).");
                }
                return 0;
            }
            catch (StateStoreException e)
            {
                return CliSupport.StoreError("forget", e, error);
            }
        });
        return command;
    }
}
