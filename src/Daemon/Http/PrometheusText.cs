using System.Globalization;
using System.Text;

namespace KafkaRestored.Daemon.Http;

/// <summary>Writes metric families as Prometheus text.</summary>
public static class PrometheusText
{
    /// <summary>Content type Prometheus expects for this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Renders the families, HELP and TYPE lines first, one sample per line.</summary>
    public static string Render(IEnumerable<MetricFamily> families)
    {
        var sb = new StringBuilder();
        foreach (var f in families)
        {
            sb.Append("# HELP ").Append(f.Name).Append(' ').Append(EscapeHelp(f.Help)).Append('\n');
            sb.Append("# TYPE ").Append(f.Name).Append(' ').Append(f.Type).Append('\n');
            foreach (var s in f.Samples)
            {
                sb.Append(f.Name).Append(s.Suffix);
                if (s.Labels.Count > 0)
                {
                    sb.Append('{');
                    for (var i = 0; i < s.Labels.Count; i++)
                    {
                        if (i > 0) sb.Append(',');
                        sb.Append(s.Labels[i].Key).Append("=\"").Append(EscapeLabel(s.Labels[i].Value)).Append('"');
                    }
                    sb.Append('}');
                }
                sb.Append(' ').Append(FormatValue(s.Value)).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static string FormatValue(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN"
        : v.ToString("R", CultureInfo.InvariantCulture);

    private static string EscapeHelp(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeLabel(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
