using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Cli;

/// <summary><c>kafka-restored status [NAME]</c>: a table of resources from the state store (read-only; works while the daemon runs).</summary>
internal static class StatusCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var name = new Argument<string?>("name") { Description = "Only resources with this name (or namespace/name)", Arity = ArgumentArity.ZeroOrOne };
        var deleted = new Option<bool>("--deleted") { Description = "Include deleted resources (tombstones)" };
        var members = new Option<bool>("--members") { Description = "Distributed mode: list the daemons of the deployment, their roles and when each was last heard from" };
        var format = OutputFormatOption.Create();
        var command = new Command("status", "Show resources, phase, progress and last transition from the state store") { name, deleted, members, format };
        command.WithSettings();
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (parse.GetValue(members)) return StatusMembers.Print(parse, OutputFormatOption.Get(parse, format), output, error);
            if (CliSupport.Settings(parse, "status", error, needRepository: false) is not { } options) return CliSupport.ConfigError;
            IReadOnlyList<ResourceRecord> records;
            try
            {
                using var store = StateStore.Open(options.StateDirectory, readOnly: true);
                records = store.Resources(includeTombstones: parse.GetValue(deleted));
            }
            catch (StateStoreException e)
            {
                return CliSupport.StoreError("status", e, error);
            }
            var filter = parse.GetValue(name);
            var rows = records.Where(r => filter is null || r.Id.Name == filter || r.Id.ShortName == filter).ToList();
            if (filter is not null && rows.Count == 0)
            {
                error.WriteLine($"kafka-restored status: no resource named '{filter}' in {options.StateDirectory}.");
                return 1;
            }
            if (OutputFormatOption.Get(parse, format) == OutputFormat.Json) PrintJson(rows, output);
            else Print(rows, output);
            return 0;
        });
        return command;
    }

    /// <summary>Prints the table.</summary>
    public static void Print(IReadOnlyList<ResourceRecord> rows, TextWriter output)
    {
        string[] header = ["KIND", "NAMESPACE/NAME", "PHASE", "PROGRESS", "LAST TRANSITION", "REASON"];
        var table = rows.Select(r => new[]
        {
            r.Id.Kind,
            r.Id.ShortName,
            r.Tombstone ? $"{r.Phase} (deleted)" : r.Phase.ToString(),
            r.NextAttemptAt is { } next && r.Phase == ResourcePhase.Running
                ? $"attempt {r.Attempts} of {r.Job.BackoffLimit + 1} failed; attempt {r.Attempts + 1} at {Time(next)}"
                : Progress(r.Status),
            Time(r.PhaseChangedAt ?? r.CreatedAt),
            Conditions.Find(r.Status.Conditions, ConditionTypes.Ready)?.Reason ?? "",
        }).ToList();
        PrintTable(header, table, output);
    }

    /// <summary>Prints <paramref name="header"/> and <paramref name="rows"/> as columns two spaces apart, each as wide as its widest cell.</summary>
    public static void PrintTable(IReadOnlyList<string> header, IReadOnlyList<string[]> rows, TextWriter output)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(row => row[i].Length))).ToArray();
        output.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows) output.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
    }

    /// <summary>Prints a StatusList document: per resource its identity, phase, generation, attempts, times and its whole status as in the status file.</summary>
    public static void PrintJson(IReadOnlyList<ResourceRecord> rows, TextWriter output) => JsonOutput.Write(output, "StatusList", new JsonObject
    {
        ["items"] = JsonOutput.Array(rows.Select(r =>
        {
            var status = StatusJson.ToNode(r.Status);
            status.Remove("$kind");
            return new JsonObject
            {
                ["resource"] = JsonOutput.Resource(r.Id),
                ["phase"] = r.Phase.ToString(),
                ["deleted"] = r.Tombstone,
                ["generation"] = r.Generation,
                ["attempts"] = r.Attempts,
                ["lastTransition"] = StatusJson.Format(r.PhaseChangedAt ?? r.CreatedAt),
                ["nextAttemptAt"] = r.NextAttemptAt is { } next ? StatusJson.Format(next) : null,
                ["reason"] = Conditions.Find(r.Status.Conditions, ConditionTypes.Ready)?.Reason,
                ["sourceFile"] = r.SourceFile,
                ["status"] = status,
            };
        })),
    });

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Progress(ResourceStatus status) => status switch
    {
        KafkaRestoreStatus { Progress: { } p } when status.Phase == ResourcePhase.Running =>
            $"{p.Percent.ToString("0", CultureInfo.InvariantCulture)}% {p.RecordsDone.ToString("N0", CultureInfo.InvariantCulture)}/{p.RecordsTotal.ToString("N0", CultureInfo.InvariantCulture)}",
        KafkaRestoreStatus { RestoredRecords: { } n } => Plural.Of(n, "record", format: "N0"),
        KafkaOffsetResetStatus r when status.Phase == ResourcePhase.Completed => $"{Plural.Of(r.GroupsReset.Count, "group")} reset",
        KafkaRestoreDrillStatus { LastRuns.Count: > 0 } d when status.Phase != ResourcePhase.Running =>
            $"drill {d.LastRuns[0].Result}: {Plural.Of(d.LastRuns[0].RecordsVerified, "record", format: "N0")} verified",
        _ => status.Attempts > 0 ? $"attempt {status.Attempts}" : "-",
    };
}
