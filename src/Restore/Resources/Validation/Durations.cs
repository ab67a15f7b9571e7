using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>
/// Durations as Kubernetes and Flux write them: one or more number+unit parts (<c>30m</c>, <c>4h</c>,
/// <c>1h30m</c>, <c>1.5h</c>, <c>500ms</c>), plus <c>d</c> (24h) and <c>w</c> (7d) for objectives measured in days.
/// </summary>
public static partial class Durations
{
    [GeneratedRegex(@"^((\d+(\.\d+)?)(ms|s|m|h|d|w))+\z")]
    private static partial Regex Whole();

    [GeneratedRegex(@"(?<num>\d+(\.\d+)?)(?<unit>ms|s|m|h|d|w)")]
    private static partial Regex Part();

    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("w", TimeSpan.FromDays(7)), ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    /// <summary>Parses <paramref name="text"/> into a positive duration; false with <paramref name="error"/> saying what to write.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        error = null;
        if (!Whole().IsMatch(text))
        {
            error = $"\"{text}\" is not a duration; write a number and a unit (ms, s, m, h, d, w) such as 30m, 4h, 1h30m or 7d";
            return false;
        }
        var ticks = 0m;
        foreach (Match m in Part().Matches(text))
        {
            var number = decimal.Parse(m.Groups["num"].Value, CultureInfo.InvariantCulture);
            var size = Units.First(u => u.Unit == m.Groups["unit"].Value).Size;
            ticks += number * size.Ticks;
            if (ticks > TimeSpan.FromDays(3650).Ticks)
            {
                error = $"\"{text}\" is longer than 10 years; write a shorter duration";
                return false;
            }
        }
        if (ticks < TimeSpan.TicksPerMillisecond)
        {
            error = $"\"{text}\" is zero; write a positive duration such as 30m";
            return false;
        }
        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }

    /// <summary>The canonical text: largest units first, each used once (<c>1h30m</c>, <c>7d</c>, <c>1m0.5s</c> as <c>1m500ms</c>); parses back to the same value.</summary>
    public static string Format(TimeSpan value)
    {
        var sb = new StringBuilder();
        var left = value.Ticks;
        foreach (var (unit, size) in Units)
        {
            if (unit == "w") continue; // 14d reads better than 2w in a report
            var count = left / size.Ticks;
            if (count == 0) continue;
            sb.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
            left -= count * size.Ticks;
        }
        if (left > 0) sb.Append((left / (decimal)TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture)).Append("ms");
        return sb.Length == 0 ? "0s" : sb.ToString();
    }
}
