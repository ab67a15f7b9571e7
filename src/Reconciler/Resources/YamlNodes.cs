using YamlDotNet.Core;

namespace KafkaRestored.Reconciler.Resources;

/// <summary>A 1-based line and column in the file being loaded.</summary>
internal readonly record struct TextPosition(int Line, int Column);

/// <summary>A YAML node that remembers where it starts; the validator reads these, never plain objects.</summary>
internal abstract class YNode(TextPosition start, string? tag)
{
    public TextPosition Start { get; } = start;

    /// <summary>The explicit tag (e.g. "tag:yaml.org,2002:str"), null when none was written.</summary>
    public string? Tag { get; } = tag;

    /// <summary>Nodes this one stands for once aliases are expanded (itself included).</summary>
    public long Weight { get; set; } = 1;

    /// <summary>True while the collection's end has not been read (an alias to it would be a cycle).</summary>
    public bool Open { get; set; }

    public abstract string Describe();
}

/// <summary>A scalar with its presentation style, which decides how it is typed.</summary>
internal sealed class YScalar(TextPosition start, string? tag, string value, ScalarStyle style) : YNode(start, tag)
{
    public const string NullTag = "tag:yaml.org,2002:null";

    public string Value { get; } = value;

    public ScalarStyle Style { get; } = style;

    /// <summary>Plain and untagged: its type comes from its text (YAML 1.2 core schema).</summary>
    public bool IsPlain => Style == ScalarStyle.Plain && Tag is null;

    /// <summary>YAML null: an empty plain value, ~ or null, or an explicit !!null.</summary>
    public bool IsNull => Tag == NullTag || (IsPlain && Value is "" or "~" or "null" or "Null" or "NULL");

    public override string Describe()
    {
        if (IsNull) return "null";
        if (!IsPlain) return "a string";
        if (ScalarText.IsBool(Value)) return "a boolean";
        if (ScalarText.IsNumber(Value)) return "a number";
        return "a string";
    }
}

/// <summary>A YAML sequence.</summary>
internal sealed class YSequence(TextPosition start, string? tag) : YNode(start, tag)
{
    public List<YNode> Items { get; } = [];

    public override string Describe() => "a list";
}

/// <summary>A YAML mapping, keys in document order (duplicates kept so the validator can report them).</summary>
internal sealed class YMapping(TextPosition start, string? tag) : YNode(start, tag)
{
    public List<KeyValuePair<YNode, YNode>> Entries { get; } = [];

    public override string Describe() => "a mapping";
}

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
