using System.Text;
using static KafkaRestored.Daemon.Http.PageFormat;

namespace KafkaRestored.Daemon.Http;

/// <summary>The frame every status page shares: styles and script from the daemon itself, nothing inline, no form.</summary>
public static class PageLayout
{
    /// <summary>Opens the document: head, header and main.</summary>
    public static StringBuilder Open(string title, DateTimeOffset now, bool chart = false)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>").Append(E(title)).Append("</title>")
            .Append("<link rel=\"stylesheet\" href=\"/assets/status.css\">");
        if (chart) html.Append("<link rel=\"stylesheet\" href=\"/assets/vendor/uPlot.min.css\">");
        html.Append("</head><body data-feed=\"/api/live\"><header><a class=\"home\" href=\"/\">kafka-restored</a> <span class=\"ro\">read-only status; changes go through Git</span>")
            .Append(" <span class=\"generated\">as of <time id=\"generated\">").Append(E(Time(now))).Append("</time></span></header><main>")
            .Append("<h1>").Append(E(title)).Append("</h1>");
        return html;
    }

    /// <summary>Closes the document, loading the page script (and the chart library when the page has a chart).</summary>
    public static string Close(StringBuilder html, bool chart = false)
    {
        html.Append("</main>");
        if (chart) html.Append("<script src=\"/assets/vendor/uPlot.iife.min.js\"></script>");
        html.Append("<script src=\"/assets/status.js\"></script></body></html>");
        return html.ToString();
    }
}
