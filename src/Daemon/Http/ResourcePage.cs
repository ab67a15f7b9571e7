using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using static KafkaRestored.Daemon.Http.PageFormat;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// GET /resources/&lt;kind&gt;/&lt;namespace&gt;/&lt;name&gt;: one resource's status now (for a failed run, the
/// reason and message first), its live progress while it runs, the time of each finished run as a chart (with
/// a table for readers without JavaScript), and each phase change from Git with its commit and time.
/// </summary>
public static class ResourcePage
{
    /// <summary>The page's HTML, or null when the state store has no such resource.</summary>
    public static string? Render(StatusPageSource source, ResourceId id)
    {
        var record = source.Resources().FirstOrDefault(r => r.Id == id && !r.Tombstone);
        if (record is null) return null;
        var transitions = source.Transitions(id);
        var runs = RunPoints(record, transitions);
        var html = PageLayout.Open(id.ToString(), source.Time.GetUtcNow(), chart: runs.Count > 0);
        Summary(html, record, source.LastChange(id));
        if (record.Phase == ResourcePhase.Failed && Conditions.Find(record.Status.Conditions, ConditionTypes.Ready) is { } ready)
        {
            html.Append("<section class=\"failure\"><h2>Failed</h2><p><strong class=\"reason\">").Append(E(ready.Reason))
                .Append("</strong>: <span class=\"message\">").Append(E(ready.Message)).Append("</span></p></section>");
        }
        html.Append("<section><h2>Conditions</h2>");
        StatusOverviewPage.ConditionList(html, record.Status.Conditions);
        html.Append("</section>");
        var live = source.Live().Where(r => r.Id == id).ToList();
        if (live.Count > 0 || record.Phase == ResourcePhase.Running) LiveRunHtml.Section(html, live, id);
        if (runs.Count > 0) RunChart(html, id, runs, source.Objective?.Invoke(record));
        History(html, transitions);
        return PageLayout.Close(html, chart: runs.Count > 0);
    }

    private static void Summary(StringBuilder html, ResourceRecord r, StatusCommit? last)
    {
        var s = r.Status;
        html.Append("<dl class=\"summary\"><dt>Phase</dt><dd class=\"phase phase-").Append(E(r.Phase.ToString())).Append("\" data-resource=\"")
            .Append(E(LiveRunHtml.Key(r.Id))).Append("\">").Append(E(r.Phase.ToString())).Append("</dd>")
            .Append("<dt>Generation</dt><dd>").Append(s.ObservedGeneration.ToString(CultureInfo.InvariantCulture)).Append("</dd>")
            .Append("<dt>Attempts</dt><dd>").Append(s.Attempts.ToString(CultureInfo.InvariantCulture)).Append("</dd>")
            .Append("<dt>Started</dt><dd>").Append(E(Time(s.StartTime))).Append("</dd>")
            .Append("<dt>Finished</dt><dd>").Append(E(Time(s.CompletionTime))).Append("</dd>")
            .Append("<dt>Defined in</dt><dd>").Append(E(r.SourceFile ?? "-")).Append("</dd>")
            .Append("<dt>Status commit</dt><dd>");
        if (last is not null) StatusOverviewPage.CommitRef(html, last);
        else html.Append("not committed yet");
        html.Append("</dd></dl>");
    }

    /// <summary>
    /// One point per finished run, oldest first: for a drill, the restore time of each run its status keeps (what
    /// spec.objectives.rto is checked against); for any other kind, start to completion of each run in the Git history.
    /// </summary>
    private static List<RunPoint> RunPoints(ResourceRecord record, IReadOnlyList<StatusTransition> transitions)
    {
        if (record.Status is KafkaRestoreDrillStatus { LastRuns.Count: > 0 } drill)
        {
            return [.. drill.LastRuns.Reverse().Select(r => new RunPoint(r.CompletionTime, r.RestoreSeconds, r.Result != "Passed",
                r.Result == "Passed" ? r.Result : $"{r.Result} ({r.Reason})", null))];
        }
        return [.. transitions.Where(t => t.Phase is "Completed" or "Failed" && t.StartTime is not null && t.CompletionTime is not null).Reverse()
            .Select(t => new RunPoint(t.CompletionTime!.Value, Math.Max(0, (t.CompletionTime!.Value - t.StartTime!.Value).TotalSeconds),
                t.Phase == "Failed", t.Phase, t.Sha))];
    }

    /// <summary>Finished runs as chart data (seconds per run, failures marked, the objective as a line) in attributes the script reads, and as a table.</summary>
    private static void RunChart(StringBuilder html, ResourceId id, List<RunPoint> runs, TimeSpan? objective)
    {
        var drill = id.Kind == ResourceKinds.KafkaRestoreDrill;
        var title = drill ? "Restore time per run (RTO trend)" : "Time per run";
        var points = runs.Select(r => new { at = r.Finished.ToUnixTimeSeconds(), seconds = r.Seconds, failed = r.Failed });
        html.Append("<section class=\"runs\"><h2>").Append(E(title)).Append("</h2><div id=\"runs-chart\" data-runs=\"")
            .Append(E(JsonSerializer.Serialize(points))).Append('"');
        if (objective is { } o) html.Append(" data-objective=\"").Append(o.TotalSeconds.ToString(CultureInfo.InvariantCulture)).Append('"');
        html.Append("></div>");
        if (objective is { } obj) html.Append("<p>Objective (").Append(drill ? "rto" : "time").Append("): ").Append(E(Duration(obj))).Append("</p>");
        if (drill) html.Append("<p class=\"none\">The last ").Append(KafkaRestoreDrillStatus.KeptRuns).Append(" runs its status file keeps.</p>");
        html.Append("<table class=\"runs-table\"><thead><tr><th>Finished</th><th>Outcome</th><th>").Append(drill ? "Restore time" : "Time")
            .Append("</th><th>Commit</th></tr></thead><tbody>");
        foreach (var r in runs)
        {
            html.Append("<tr class=\"").Append(r.Failed ? "failed" : "ok").Append("\"><td>").Append(E(Time(r.Finished)))
                .Append("</td><td>").Append(E(r.Outcome)).Append("</td><td>").Append(E(RunTime(r.Seconds)))
                .Append("</td><td>");
            if (r.Sha is { } sha) html.Append("<code title=\"").Append(E(sha)).Append("\">").Append(E(Short(sha))).Append("</code>");
            else html.Append('-');
            html.Append("</td></tr>");
        }
        html.Append("</tbody></table></section>");
    }

    // Drill restores of small backups take well under a minute: tenths of a second tell runs apart.
    private static string RunTime(double? seconds) => seconds switch
    {
        null => "-",
        < 60 => seconds.Value.ToString("0.0", CultureInfo.InvariantCulture) + "s",
        _ => Duration(TimeSpan.FromSeconds(seconds.Value)),
    };

    /// <summary>One finished run on the chart: when it ended, its time in seconds (null: not measured), whether it failed, and its commit when known.</summary>
    private sealed record RunPoint(DateTimeOffset Finished, double? Seconds, bool Failed, string Outcome, string? Sha);

    private static void History(StringBuilder html, IReadOnlyList<StatusTransition> transitions)
    {
        html.Append("<section class=\"history\"><h2>Status history (Git)</h2><table><thead><tr><th>Time</th><th>Phase</th><th>Generation</th>")
            .Append("<th>Commit</th><th>Reason</th><th>Message</th></tr></thead><tbody>");
        foreach (var t in transitions)
        {
            html.Append("<tr><td>").Append(E(Time(t.When))).Append("</td><td class=\"phase-").Append(E(t.Phase)).Append("\">").Append(E(t.Phase))
                .Append("</td><td>").Append(E(t.Generation?.ToString(CultureInfo.InvariantCulture) ?? "-"))
                .Append("</td><td><code title=\"").Append(E(t.Sha)).Append("\">").Append(E(Short(t.Sha))).Append("</code></td><td>")
                .Append(E(t.Reason)).Append("</td><td class=\"message\">").Append(E(t.Message)).Append("</td></tr>");
        }
        if (transitions.Count == 0) html.Append("<tr><td colspan=\"6\">No status commit for this resource yet.</td></tr>");
        html.Append("</tbody></table></section>");
    }
}
