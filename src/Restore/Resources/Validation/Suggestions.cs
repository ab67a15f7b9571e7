namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>"Did you mean" hints: the closest allowed spelling by edit distance.</summary>
public static class Suggestions
{
    /// <summary>The candidate nearest to <paramref name="input"/> (case-insensitive optimal string alignment
    /// distance, transpositions count once), or null when none is close enough to be a typo.</summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        if (input.Length > 100) return null;
        string? best = null;
        var bestDistance = int.MaxValue;
        var lowered = input.ToLowerInvariant();
        foreach (var c in candidates)
        {
            var d = Distance(lowered, c.ToLowerInvariant());
            var allowed = Math.Max(1, Math.Min(3, c.Length / 3));
            if (d <= allowed && d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }
        // Also catch snake_case and kebab-case spellings of camelCase names.
        if (best is null)
        {
            var squashed = lowered.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
            best = candidates.FirstOrDefault(c => string.Equals(c, squashed, StringComparison.OrdinalIgnoreCase));
        }
        return best == input ? null : best;
    }

    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
