using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Restore;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// <c>kafka-restored status --members</c>: the daemons of a distributed deployment as each last described itself in the
/// state topic. A member not heard from for a session timeout is shown as <c>gone?</c>: dead, stopped hard or cut off.
/// </summary>
internal static class StatusMembers
{
    /// <summary>Reads and prints the members; exit 2 without distributed mode, 1 when the coordination cluster cannot be read.</summary>
    public static int Print(ParseResult parse, OutputFormat format, TextWriter output, TextWriter error)
    {
        CoordinationOptions coordination;
        try
        {
            coordination = ReconcilerSettings.Bind<CoordinationOptions>(
                ReconcilerSettings.BuildConfiguration(parse.GetValue(ReconcilerSettings.Config), new Dictionary<string, string?>()));
        }
        catch (SettingsException e)
        {
            foreach (var p in e.Problems) error.WriteLine($"kafka-restored status: {p}");
            return CliSupport.ConfigError;
        }
        var problems = coordination.Validate();
        foreach (var p in problems) error.WriteLine($"kafka-restored status: {p}");
        if (problems.Count > 0) return CliSupport.ConfigError;
        if (!coordination.Enabled)
        {
            error.WriteLine("kafka-restored status: --members lists the daemons of a distributed deployment; set CoordinationBootstrapServers (one daemon alone has no members to list).");
            return CliSupport.ConfigError;
        }
        IReadOnlyList<MemberRecord> members;
        try
        {
            using var shared = new SharedRunState(CoordinationClient.Build(coordination), coordination.CoordinationStateTopic, TimeSpan.FromSeconds(15), NullLogger.Instance);
            members = shared.ReadMembers(CancellationToken.None);
        }
        catch (KafkaRestoredException e)
        {
            error.WriteLine($"kafka-restored status: {e.Message}");
            return 1;
        }
        var now = DateTimeOffset.UtcNow;
        string Note(MemberRecord m) => m.Role != "stopped" && now - m.SeenAt > coordination.CoordinationSessionTimeout ? "gone?" : "";
        if (format == OutputFormat.Json)
        {
            JsonOutput.Write(output, "MemberList", new JsonObject
            {
                ["items"] = JsonOutput.Array(members.Select(m => new JsonObject
                {
                    ["instance"] = m.Instance,
                    ["role"] = m.Role,
                    ["host"] = m.Host,
                    ["since"] = m.Since.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                    ["lastSeen"] = m.SeenAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                    ["gone"] = Note(m).Length > 0,
                    ["reason"] = m.Reason,
                    ["slots"] = m.Slots is null ? null : JsonOutput.Array(m.Slots.Select(x => (JsonNode)JsonValue.Create(x))),
                    ["units"] = m.Units,
                })),
            });
            return 0;
        }
        string[] header = ["INSTANCE", "ROLE", "HOST", "SINCE", "LAST SEEN", "SLOTS", "NOTE"];
        var rows = members.Select(m => new[]
        {
            m.Instance, m.Role, m.Host, Time(m.Since), $"{(now - m.SeenAt).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ago",
            m.Slots is null ? "-" : m.Slots.Count == 0 ? "none" : string.Join(",", m.Slots), Note(m),
        }).ToList();
        StatusCommand.PrintTable(header, rows, output);
        if (rows.Count == 0) output.WriteLine($"(no member has written to {coordination.CoordinationStateTopic} yet)");
        return 0;
    }

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
