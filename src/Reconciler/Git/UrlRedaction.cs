using System.Text.RegularExpressions;

namespace KafkaRestored.Reconciler.Git;

/// <summary>Removes credentials from text before it reaches a log, an exception or a status file.</summary>
public static partial class UrlRedaction
{
    /// <summary>
    /// <paramref name="text"/> with every <c>user:password@</c> or <c>token@</c> after a URL scheme
    /// removed, and every known secret value replaced by <c>***</c>.
    /// </summary>
    public static string Redact(string? text, IEnumerable<string>? secrets = null)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var result = UserInfo().Replace(text, "$1");
        if (secrets is null) return result;
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret)) result = result.Replace(secret, "***", StringComparison.Ordinal);
        }
        return result;
    }

    [GeneratedRegex(@"([a-zA-Z][a-zA-Z0-9+.\-]*://)[^/@\s]+@")]
    private static partial Regex UserInfo();
}
