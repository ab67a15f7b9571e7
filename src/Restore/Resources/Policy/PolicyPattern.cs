namespace KafkaRestored.Restore.Resources.Policy;

/// <summary>
/// The policy's glob: <c>*</c> matches any run of characters (including <c>/</c> and nothing); every
/// other character matches itself. <c>*</c> alone matches everything.
/// </summary>
public static class PolicyPattern
{
    /// <summary>True when <paramref name="value"/> matches <paramref name="pattern"/> as a whole.</summary>
    public static bool Matches(string pattern, string value, bool ignoreCase = false)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(value);
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var parts = pattern.Split('*');
        if (parts.Length == 1) return string.Equals(pattern, value, comparison);
        // Anchored first and last literal; the middle literals are found left to right, which is
        // optimal for a glob whose only wildcard is '*' (no backtracking needed).
        var first = parts[0];
        var last = parts[^1];
        if (value.Length < first.Length + last.Length) return false;
        if (!value.StartsWith(first, comparison) || !value.EndsWith(last, comparison)) return false;
        var position = first.Length;
        var end = value.Length - last.Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            if (parts[i].Length == 0) continue;
            var found = value.IndexOf(parts[i], position, end - position, comparison);
            if (found < 0) return false;
            position = found + parts[i].Length;
        }
        return true;
    }

    /// <summary>True when any of <paramref name="patterns"/> matches.</summary>
    public static bool AnyMatches(IEnumerable<string> patterns, string value, bool ignoreCase = false) =>
        patterns.Any(p => Matches(p, value, ignoreCase));
}
