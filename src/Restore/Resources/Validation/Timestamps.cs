using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>ISO 8601 instants with an explicit zone, as pitr and offsetReset take them.</summary>
public static partial class Timestamps
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})\z")]
    private static partial Regex Iso8601WithZone();

    /// <summary>Parses "2024-12-01T12:00:00Z" or "...+01:00" (fractions up to 100 ns); a time without a
    /// zone is rejected, since guessing the zone could restore an hour too much or too little.</summary>
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        value = default;
        return Iso8601WithZone().IsMatch(text)
               && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out value);
    }

    /// <summary>The canonical form: UTC as "...Z", other offsets kept, fractions only when present.</summary>
    public static string Format(DateTimeOffset value)
    {
        var core = value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
        return value.Offset == TimeSpan.Zero ? core + "Z" : core + value.ToString("zzz", CultureInfo.InvariantCulture);
    }
}
