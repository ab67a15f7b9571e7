using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Kubernetes resource quantities ("500m", "2", "0.5", "512Mi", "1G", "1e9").</summary>
public static partial class Quantities
{
    [GeneratedRegex(@"^(?<num>[+-]?(\d+(\.\d*)?|\.\d+))(?:(?<suffix>Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE](?<exp>[+-]?\d{1,3}))?\z")]
    private static partial Regex Quantity();

    /// <summary>The quantity's exact value, or false when it does not parse or overflows.</summary>
    public static bool TryParse(string text, out decimal value)
    {
        value = 0;
        var m = Quantity().Match(text);
        if (!m.Success) return false;
        if (!decimal.TryParse(m.Groups["num"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture, out var number)) return false;
        try
        {
            if (m.Groups["exp"].Success)
            {
                var exp = int.Parse(m.Groups["exp"].Value, CultureInfo.InvariantCulture);
                if (exp is > 28 or < -28) return false;
                var scale = 1m;
                for (var i = 0; i < Math.Abs(exp); i++) scale *= 10;
                value = exp >= 0 ? number * scale : number / scale;
                return true;
            }
            value = m.Groups["suffix"].Value switch
            {
                "" => number,
                "n" => number / 1_000_000_000m,
                "u" => number / 1_000_000m,
                "m" => number / 1000m,
                "k" => number * 1000m,
                "M" => number * 1_000_000m,
                "G" => number * 1_000_000_000m,
                "T" => number * 1_000_000_000_000m,
                "P" => number * 1_000_000_000_000_000m,
                "E" => number * 1_000_000_000_000_000_000m,
                "Ki" => number * 1024m,
                "Mi" => number * 1024m * 1024m,
                "Gi" => number * 1024m * 1024m * 1024m,
                "Ti" => number * 1024m * 1024m * 1024m * 1024m,
                "Pi" => number * 1024m * 1024m * 1024m * 1024m * 1024m,
                _ => number * 1024m * 1024m * 1024m * 1024m * 1024m * 1024m,
            };
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>cpu in millicores, rounded up as Kubernetes does ("500m" → 500, "2" → 2000, "0.5" → 500).</summary>
    public static bool TryParseCpuMillis(string text, out long millis)
    {
        millis = 0;
        if (!TryParse(text, out var v) || v <= 0 || v > long.MaxValue / 1000) return false;
        millis = (long)decimal.Ceiling(v * 1000m);
        return true;
    }

    /// <summary>memory in bytes, rounded up ("512Mi" → 536870912, "1G" → 1000000000).</summary>
    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        if (!TryParse(text, out var v) || v <= 0 || v > long.MaxValue) return false;
        bytes = (long)decimal.Ceiling(v);
        return true;
    }

    /// <summary>Canonical cpu text: whole cores as "2", otherwise millicores as "500m".</summary>
    public static string FormatCpu(long millis) =>
        millis % 1000 == 0 ? (millis / 1000).ToString(CultureInfo.InvariantCulture) : millis.ToString(CultureInfo.InvariantCulture) + "m";

    /// <summary>Canonical memory text: the largest binary suffix that divides exactly, else plain bytes.</summary>
    public static string FormatBytes(long bytes)
    {
        string[] suffixes = ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"];
        for (var i = 0; i < suffixes.Length; i++)
        {
            var unit = 1L << (10 * (6 - i));
            if (bytes % unit == 0) return (bytes / unit).ToString(CultureInfo.InvariantCulture) + suffixes[i];
        }
        return bytes.ToString(CultureInfo.InvariantCulture);
    }
}
