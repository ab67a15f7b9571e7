namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>How plain scalars are typed (YAML 1.2 core schema, plus the YAML 1.1 booleans to reject them clearly).</summary>
internal static class ScalarText
{
    public static bool IsBool(string s) => s is "true" or "True" or "TRUE" or "false" or "False" or "FALSE";

    public static bool IsYaml11Bool(string s) =>
        s.ToLowerInvariant() is "yes" or "no" or "on" or "off" or "y" or "n";

    public static bool IsInteger(string s)
    {
        var i = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
        if (i >= s.Length) return false;
        for (; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i])) return false;
        }
        return true;
    }

    public static bool IsNumber(string s) =>
        IsInteger(s) || System.Text.RegularExpressions.Regex.IsMatch(s,
            @"^([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+)$");
}
