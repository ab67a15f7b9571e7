using System.Globalization;
using System.Text;
using KafkaRestored.Reconciler.Live;
using KafkaRestored.Restore.Resources.Model;
using static KafkaRestored.Daemon.Http.PageFormat;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// A running restore's progress as HTML: totals, rate and time left, and a row per target topic and partition.
/// The page's script rebuilds the same markup from /api/live, so the server's rendering is what a reader
/// without JavaScript sees.
/// </summary>
public static class LiveRunHtml
{
    /// <summary>The live section: one block per run, or a line saying nothing runs; with <paramref name="only"/>, the script keeps to that resource's run.</summary>
    public static void Section(StringBuilder html, IEnumerable<LiveRun> runs, ResourceId? only = null)
    {
        html.Append("<section id=\"live\" aria-live=\"polite\"");
        if (only is { } id) html.Append(" data-only=\"").Append(E(Key(id))).Append('"');
        html.Append("><h2>Running now</h2>");
        var any = false;
        foreach (var run in runs)
        {
            any = true;
            Block(html, run);
        }
        if (!any) html.Append("<p class=\"none\">No restore is running.</p>");
        html.Append("</section>");
    }

    /// <summary>"kind/namespace/name", how the page's script matches elements to feed entries.</summary>
    public static string Key(ResourceId id) => $"{id.Kind}/{id.Namespace}/{id.Name}";

    private static void Block(StringBuilder html, LiveRun run)
    {
        var percent = run.RecordsTotal <= 0 ? 0 : Math.Min(100, 100.0 * run.RecordsDone / run.RecordsTotal);
        html.Append("<div class=\"run\"><h3><a href=\"").Append(E(ResourceUrl(run.Id))).Append("\">")
            .Append(E(run.Id.ToString())).Append("</a> <span class=\"stage\">").Append(E(run.Stage)).Append("</span></h3>");
        html.Append("<p class=\"totals\">records <span class=\"records\">").Append(E(Count(run.RecordsDone, run.RecordsTotal)))
            .Append("</span> · bytes <span class=\"bytes\">").Append(E(Bytes(run.BytesDone))).Append(" / ").Append(E(Bytes(run.BytesTotal)))
            .Append("</span> · rate <span class=\"rate\">").Append(E(Rate(run.RecordsPerSecond)))
            .Append("</span> · time left <span class=\"left\">").Append(E(Duration(run.TimeLeft))).Append("</span></p>");
        html.Append("<progress max=\"100\" value=\"").Append(percent.ToString("0.#", CultureInfo.InvariantCulture)).Append("\"></progress>");
        html.Append("<table class=\"partitions\"><thead><tr><th>Topic</th><th>Partition</th><th>Records</th><th>Bytes</th><th>Rate</th><th>Time left</th></tr></thead><tbody>");
        foreach (var p in run.Partitions)
        {
            html.Append("<tr><td>").Append(E(p.Topic)).Append("</td><td>").Append(p.Partition.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(E(Count(p.RecordsDone, p.RecordsTotal)))
                .Append("</td><td>").Append(E(Bytes(p.BytesDone))).Append(" / ").Append(E(Bytes(p.BytesTotal)))
                .Append("</td><td>").Append(E(Rate(p.RecordsPerSecond))).Append("</td><td>").Append(E(Duration(p.TimeLeft))).Append("</td></tr>");
        }
        html.Append("</tbody></table></div>");
    }
}
