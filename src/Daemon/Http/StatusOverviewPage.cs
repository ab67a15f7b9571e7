using System.Text;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using static KafkaRestored.Daemon.Http.PageFormat;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// GET /: the running restores' live progress, then a section per kind found in the state store (every
/// resource with phase, conditions, the commit that last changed its status file and the age of its newest
/// completion), then the last status commits. Kinds are not listed here: a new kind appears with its records.
/// </summary>
public static class StatusOverviewPage
{
    /// <summary>Status commits listed at the bottom.</summary>
    public const int RecentCommits = 20;

    // What the newest completion means for kinds whose freshness is the point (a backup's age is the RPO now).
    private static readonly Dictionary<string, string> CompletionLabel = new(StringComparer.Ordinal)
    {
        ["KafkaBackup"] = "Newest backup age (RPO now)",
        ["KafkaRestoreDrill"] = "Newest drill age",
    };

    /// <summary>The page's HTML.</summary>
    public static string Render(StatusPageSource source)
    {
        var now = source.Time.GetUtcNow();
        var records = source.Resources().Where(r => !r.Tombstone).OrderBy(r => r.Id.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.Id.Namespace, StringComparer.Ordinal).ThenBy(r => r.Id.Name, StringComparer.Ordinal).ToList();
        var commits = source.Commits();
        var html = PageLayout.Open("Status", now);
        LiveRunHtml.Section(html, source.Live());
        if (records.Count == 0) html.Append("<p class=\"none\">No resource is recorded yet.</p>");
        foreach (var kind in records.GroupBy(r => r.Id.Kind))
            KindSection(html, kind.Key, [.. kind], source.LastChange, now);
        CommitList(html, commits.Take(RecentCommits));
        return PageLayout.Close(html);
    }

    private static void KindSection(StringBuilder html, string kind, List<ResourceRecord> records, Func<ResourceId, StatusCommit?> lastChange, DateTimeOffset now)
    {
        var label = CompletionLabel.GetValueOrDefault(kind, "Last completed");
        html.Append("<section class=\"kind\"><h2>").Append(E(kind)).Append("</h2><table class=\"resources\"><thead><tr>")
            .Append("<th>Namespace</th><th>Name</th><th>Phase</th><th>Conditions</th><th>Status commit</th><th>").Append(E(label)).Append("</th></tr></thead><tbody>");
        foreach (var r in records)
        {
            var last = lastChange(r.Id);
            html.Append("<tr><td>").Append(E(r.Id.Namespace)).Append("</td><td><a href=\"").Append(E(ResourceUrl(r.Id))).Append("\">")
                .Append(E(r.Id.Name)).Append("</a></td><td class=\"phase phase-").Append(E(r.Phase.ToString())).Append("\" data-resource=\"")
                .Append(E(LiveRunHtml.Key(r.Id))).Append("\">").Append(E(r.Phase.ToString())).Append("</td><td>");
            ConditionList(html, r.Status.Conditions);
            html.Append("</td><td>");
            if (last is not null) CommitRef(html, last);
            else html.Append("not committed yet");
            html.Append("</td><td>").Append(r.Phase == ResourcePhase.Completed && r.Status.CompletionTime is { } done
                ? E(Duration(now - done)) + " ago" : "-").Append("</td></tr>");
        }
        html.Append("</tbody></table></section>");
    }

    /// <summary>Conditions as a list: type, status, reason and message.</summary>
    public static void ConditionList(StringBuilder html, IEnumerable<Condition> conditions)
    {
        html.Append("<ul class=\"conditions\">");
        foreach (var c in conditions)
        {
            html.Append("<li><span class=\"ctype\">").Append(E(c.Type)).Append("</span>=").Append(E(c.Status.ToString()))
                .Append(" <span class=\"reason\">").Append(E(c.Reason)).Append("</span>: <span class=\"message\">").Append(E(c.Message)).Append("</span></li>");
        }
        html.Append("</ul>");
    }

    /// <summary>A commit as its short id (full id on hover) and time.</summary>
    public static void CommitRef(StringBuilder html, StatusCommit c) =>
        html.Append("<code title=\"").Append(E(c.Sha)).Append("\">").Append(E(Short(c.Sha))).Append("</code> <time>").Append(E(Time(c.When))).Append("</time>");

    private static void CommitList(StringBuilder html, IEnumerable<StatusCommit> commits)
    {
        html.Append("<section class=\"commits\"><h2>Last status commits</h2><table><thead><tr><th>Commit</th><th>Subject</th><th>Files</th></tr></thead><tbody>");
        var any = false;
        foreach (var c in commits)
        {
            any = true;
            html.Append("<tr><td>");
            CommitRef(html, c);
            html.Append("</td><td>").Append(E(c.Subject)).Append("</td><td>").Append(c.Paths.Count).Append("</td></tr>");
        }
        if (!any) html.Append("<tr><td colspan=\"3\">No status commit yet.</td></tr>");
        html.Append("</tbody></table></section>");
    }
}
