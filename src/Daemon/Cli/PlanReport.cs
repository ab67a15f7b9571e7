using System.Text.Json.Nodes;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Restore;

namespace KafkaRestored.Daemon.Cli;

/// <summary>What <c>plan</c> prints, as text, Markdown (a pull request comment) or JSON: the actions and every problem beside them.</summary>
/// <param name="Header">The text form's first line (what was planned against what).</param>
/// <param name="Ref">The revision as given (a branch name, HEAD) or the tracked branch.</param>
/// <param name="Revision">The commit planned.</param>
/// <param name="BaseRef">With --ref, the tracked branch as given; else null.</param>
/// <param name="BaseRevision">With --ref, the tracked branch's commit the status files were read at; else null.</param>
/// <param name="Resources">Resources at the planned commit.</param>
/// <param name="Actions">Every planned action (Unchanged included).</param>
/// <param name="FileProblems">Files that could not be read as resources.</param>
/// <param name="PolicyDenials">Each denial by the host policy.</param>
/// <param name="Problems">What could not be compared (plan --ref: a status file or its sourceRevision) and notes such as a missing Policy.</param>
internal sealed record PlanReport(string Header, string Ref, string Revision, string? BaseRef, string? BaseRevision, int Resources,
    IReadOnlyList<PlanAction> Actions, IReadOnlyList<string> FileProblems, IReadOnlyList<string> PolicyDenials, IReadOnlyList<string> Problems)
{
    /// <summary>Prints the report in <paramref name="format"/>; <paramref name="all"/> lists unchanged resources in text and Markdown too.</summary>
    public void Write(TextWriter output, OutputFormat format, bool all)
    {
        switch (format)
        {
            case OutputFormat.Json:
                WriteJson(output);
                break;
            case OutputFormat.Markdown:
                WriteMarkdown(output, all);
                break;
            default:
                WriteText(output, all);
                break;
        }
    }

    private int Unchanged => Actions.Count(a => a.Kind == PlanActionKind.Unchanged);

    private IEnumerable<PlanAction> Shown(bool all) => Actions.Where(a => all || a.Kind != PlanActionKind.Unchanged);

    private void WriteText(TextWriter output, bool all)
    {
        output.WriteLine(Header);
        foreach (var a in Shown(all)) output.WriteLine("  " + a);
        if (Unchanged > 0 && !all) output.WriteLine($"  ({Unchanged} unchanged; --all lists them)");
        foreach (var e in FileProblems) output.WriteLine("  file problem: " + e);
        foreach (var p in Problems) output.WriteLine("  " + p);
        foreach (var d in PolicyDenials) output.WriteLine("  policy denies: " + d);
    }

    private void WriteMarkdown(TextWriter output, bool all)
    {
        output.WriteLine("### kafka-restored plan");
        output.WriteLine();
        var against = BaseRef is null ? "" : $" against `{BaseRef}` (`{BaseRevision![..12]}`)";
        var changes = Actions.Count - Unchanged;
        output.WriteLine($"`{Cell(Ref)}` (`{Revision[..12]}`){against}: {Plural.Of(changes, "action")} for {Plural.Of(Resources, "resource")}" +
            (Unchanged > 0 && !all ? $", {Unchanged} unchanged." : "."));
        if (Shown(all).Any())
        {
            output.WriteLine();
            output.WriteLine("| Action | Resource | Why |");
            output.WriteLine("| --- | --- | --- |");
            foreach (var a in Shown(all)) output.WriteLine($"| {a.Kind} | {a.Id.Kind} `{a.Id.ShortName}` | {Cell(a.Reason)} |");
        }
        List(output, "File problems", FileProblems);
        List(output, "Policy denials", PolicyDenials);
        List(output, "Notes", Problems);
    }

    private static void List(TextWriter output, string title, IReadOnlyList<string> items)
    {
        if (items.Count == 0) return;
        output.WriteLine();
        output.WriteLine($"**{title}**");
        output.WriteLine();
        foreach (var i in items) output.WriteLine($"- `{i.Replace('`', '\'')}`");
    }

    // A table cell is one line, and '|' would end it.
    private static string Cell(string text) => text.Replace("\r", "", StringComparison.Ordinal).Replace('\n', ' ').Replace("|", "\\|", StringComparison.Ordinal);

    private void WriteJson(TextWriter output) => JsonOutput.Write(output, "Plan", new JsonObject
    {
        ["ref"] = Ref,
        ["revision"] = Revision,
        ["base"] = BaseRef is null ? null : new JsonObject { ["ref"] = BaseRef, ["revision"] = BaseRevision },
        ["resources"] = Resources,
        ["actions"] = JsonOutput.Array(Actions.Select(a => new JsonObject
        {
            ["action"] = a.Kind.ToString(),
            ["resource"] = JsonOutput.Resource(a.Id),
            ["reason"] = a.Reason,
        })),
        ["fileProblems"] = JsonOutput.Strings(FileProblems),
        ["policyDenials"] = JsonOutput.Strings(PolicyDenials),
        ["problems"] = JsonOutput.Strings(Problems),
    });
}
