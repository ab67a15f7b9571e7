using Cronos;

namespace KafkaRestored.Restore.Scheduling;

/// <summary>
/// A cron schedule as Kubernetes CronJobs and OSO's operator write it: standard 5 fields (minute hour
/// day-of-month month day-of-week) or OSO's 6 with seconds first, the macros (<c>@daily</c>, <c>@hourly</c>, ...),
/// and an optional <c>CRON_TZ=Zone</c> (or <c>TZ=Zone</c>) prefix; UTC unless a zone is given. Parsed with
/// Cronos, which keeps daylight-saving transitions right (a skipped hour runs once, a repeated one once).
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression, TimeZoneInfo zone)
    {
        Text = text;
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The schedule as written.</summary>
    public string Text { get; }

    /// <summary>The zone the fields are read in (UTC unless the text or the caller named one).</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="timeZone"/> (an IANA name such as <c>Europe/Berlin</c>) applies
    /// when the text has no prefix of its own. Null with <paramref name="error"/> saying what is wrong and what to write.
    /// </summary>
    public static CronSchedule? TryParse(string text, string? timeZone, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var body = text.Trim();
        var zoneName = timeZone;
        foreach (var prefix in (string[])["CRON_TZ=", "TZ="])
        {
            if (!body.StartsWith(prefix, StringComparison.Ordinal)) continue;
            var space = body.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                error = $"\"{text}\" has a {prefix} prefix but no schedule after it; write e.g. \"{prefix}Europe/Berlin 0 2 * * *\"";
                return null;
            }
            zoneName = body[prefix.Length..space];
            body = body[(space + 1)..].Trim();
            break;
        }
        var zone = TimeZoneInfo.Utc;
        if (!string.IsNullOrEmpty(zoneName) && !TryZone(zoneName, out zone, out error)) return null;
        var fields = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var format = fields.Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (!body.StartsWith('@') && fields.Length is not (5 or 6))
        {
            error = $"\"{text}\" has {fields.Length} field(s); write 5 (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or 6 with seconds first";
            return null;
        }
        try
        {
            return new CronSchedule(text, CronExpression.Parse(string.Join(' ', fields), format), zone);
        }
        catch (CronFormatException e)
        {
            error = $"\"{text}\" is not a cron schedule ({e.Message.TrimEnd('.')}); write e.g. \"0 2 * * *\" (02:00 every day)";
            return null;
        }
    }

    /// <summary>The first time strictly after <paramref name="after"/> the schedule fires; null when it never does again.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone);

    /// <summary>The last time at or before <paramref name="atOrBefore"/> the schedule fired, looking back at most <paramref name="horizon"/>.</summary>
    public DateTimeOffset? Previous(DateTimeOffset atOrBefore, TimeSpan horizon)
    {
        DateTimeOffset? last = null;
        foreach (var t in _expression.GetOccurrences(atOrBefore - horizon, atOrBefore, Zone, fromInclusive: true, toInclusive: true))
            last = t;
        return last;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static bool TryZone(string name, out TimeZoneInfo zone, out string? error)
    {
        error = null;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            error = $"time zone \"{name}\" is not known on this host; write an IANA name such as \"Europe/Berlin\" or \"UTC\"";
            return false;
        }
    }
}
