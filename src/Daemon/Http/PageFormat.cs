using System.Globalization;
using System.Text.Encodings.Web;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Daemon.Http;

/// <summary>Text for the status page: every value HTML-encoded, long text cut, sizes, durations and ages in short human form.</summary>
public static class PageFormat
{
    /// <summary>Longest text shown for one value (a message); the rest is cut with an ellipsis.</summary>
    public const int MaxText = 2000;

    /// <summary><paramref name="value"/> HTML-encoded (text and attribute safe), cut to <see cref="MaxText"/> characters; empty for null.</summary>
    public static string E(string? value) =>
        value is null ? "" : HtmlEncoder.Default.Encode(value.Length > MaxText ? value[..MaxText] + "…" : value);

    /// <summary>The page of a resource, each segment URL-escaped (then HTML-encoded by the caller).</summary>
    public static string ResourceUrl(ResourceId id) =>
        $"/resources/{Uri.EscapeDataString(id.Kind)}/{Uri.EscapeDataString(id.Namespace)}/{Uri.EscapeDataString(id.Name)}";

    /// <summary>A byte count as B, KiB, MiB or GiB.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        var u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return u == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }

    /// <summary>A duration as "1h 2m", "3m 4s" or "5s"; "-" for null.</summary>
    public static string Duration(TimeSpan? span)
    {
        if (span is not { } d) return "-";
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        if (d.TotalDays >= 1) return $"{(int)d.TotalDays}d {d.Hours}h";
        if (d.TotalHours >= 1) return $"{(int)d.TotalHours}h {d.Minutes}m";
        if (d.TotalMinutes >= 1) return $"{d.Minutes}m {d.Seconds}s";
        return $"{d.Seconds}s";
    }

    /// <summary>A UTC time in ISO 8601 to the second; "-" for null.</summary>
    public static string Time(DateTimeOffset? t) =>
        t is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";

    /// <summary>A rate with one decimal.</summary>
    public static string Rate(double perSecond) => perSecond.ToString("0.0", CultureInfo.InvariantCulture) + "/s";

    /// <summary>"done / total" of records.</summary>
    public static string Count(long done, long total) =>
        done.ToString(CultureInfo.InvariantCulture) + " / " + total.ToString(CultureInfo.InvariantCulture);

    /// <summary>The first 12 characters of a commit id.</summary>
    public static string Short(string sha) => sha.Length > 12 ? sha[..12] : sha;
}
