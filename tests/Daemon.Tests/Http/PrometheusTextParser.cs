using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// A strict reader of the Prometheus text exposition format 0.0.4, as a scraper would apply it:
/// HELP/TYPE lines, one TYPE per family before its samples, samples only of declared families
/// (plus _sum/_count of summaries, _bucket/_sum/_count of histograms), label names and escapes,
/// float values, families not split, no series twice. Throws <see cref="FormatException"/> with
/// the line on the first violation.
/// </summary>
internal static partial class PrometheusTextParser
{
    /// <summary>A parsed exposition: family name to type, and every series ("name{a=\"b\"}" as written) to its value.</summary>
    public sealed record Exposition(IReadOnlyDictionary<string, string> Types, IReadOnlyDictionary<string, double> Series)
    {
        /// <summary>The value of one series; fails the test naming it when absent.</summary>
        public double this[string series] =>
            Series.TryGetValue(series, out var v) ? v : throw new KeyNotFoundException($"series {series} not exposed; have: {string.Join(", ", Series.Keys)}");
    }

    /// <summary>Parses <paramref name="text"/> or throws.</summary>
    public static Exposition Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n')) throw new FormatException("the exposition must end with a line feed");
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var m = MetaLine().Match(line);
                if (!m.Success) continue; // other comments are allowed
                var name = m.Groups[2].Value;
                if (m.Groups[1].Value == "TYPE")
                {
                    var type = m.Groups[3].Value;
                    if (type is not ("counter" or "gauge" or "summary" or "histogram" or "untyped")) throw new FormatException($"unknown type: {line}");
                    if (!types.TryAdd(name, type)) throw new FormatException($"second TYPE for {name}: {line}");
                    if (closed.Contains(name)) throw new FormatException($"TYPE after samples of {name}: {line}");
                }
                continue;
            }
            var s = SampleLine().Match(line);
            if (!s.Success) throw new FormatException($"not a sample line: {line}");
            var sampleName = s.Groups["name"].Value;
            var family = FamilyOf(sampleName, types) ?? throw new FormatException($"sample of an undeclared family: {line}");
            if (family != current)
            {
                if (closed.Contains(family)) throw new FormatException($"family {family} split in two: {line}");
                if (current is not null) closed.Add(current);
                current = family;
            }
            var labels = new List<string>();
            foreach (Capture c in s.Groups["label"].Captures)
            {
                var eq = c.Value.IndexOf('=', StringComparison.Ordinal);
                var labelName = c.Value[..eq];
                if (labels.Any(l => l.StartsWith(labelName + "=", StringComparison.Ordinal))) throw new FormatException($"label {labelName} twice: {line}");
                CheckEscapes(c.Value[(eq + 2)..^1], line);
                labels.Add(c.Value);
            }
            var key = labels.Count == 0 ? sampleName : $"{sampleName}{{{string.Join(',', labels)}}}";
            if (!series.TryAdd(key, ParseValue(s.Groups["value"].Value, line))) throw new FormatException($"series twice: {line}");
        }
        return new Exposition(types, series);
    }

    private static string? FamilyOf(string sample, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sample)) return sample;
        foreach (var (suffix, allowed) in new[] { ("_sum", "summary histogram"), ("_count", "summary histogram"), ("_bucket", "histogram") })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var t) && allowed.Contains(t, StringComparison.Ordinal))
                return sample[..^suffix.Length];
        }
        return null;
    }

    private static void CheckEscapes(string value, string line)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\') continue;
            if (i + 1 >= value.Length || value[i + 1] is not ('\\' or '"' or 'n')) throw new FormatException($"bad escape in label value: {line}");
            i++;
        }
    }

    private static double ParseValue(string v, string line) => v switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : throw new FormatException($"bad value: {line}"),
    };

    [GeneratedRegex(@"^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*)(?: (.*))?$")]
    private static partial Regex MetaLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?:(?<label>[a-zA-Z_][a-zA-Z0-9_]*=""(?:\\.|[^""\\])*"")(?:,(?<label>[a-zA-Z_][a-zA-Z0-9_]*=""(?:\\.|[^""\\])*""))*,?)?\})? (?<value>\S+)(?: -?[0-9]+)?$")]
    private static partial Regex SampleLine();
}
