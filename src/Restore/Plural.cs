using System.Globalization;

namespace KafkaRestored.Restore;

/// <summary>A count with its noun in the right number ("1 topic", "2 topics"), for messages, status and CLI output.</summary>
public static class Plural
{
    /// <summary>The count (invariant culture, in <paramref name="format"/>, e.g. "N0" for 1,000) and the noun, singular for exactly one.</summary>
    public static string Of(long count, string singular, string? plural = null, string? format = null) =>
        count.ToString(format, CultureInfo.InvariantCulture) + " " + Noun(count, singular, plural);

    /// <summary>The noun alone in the number <paramref name="count"/> asks for; the plural adds "s" unless given.</summary>
    public static string Noun(long count, string singular, string? plural = null) => count == 1 ? singular : plural ?? singular + "s";
}
