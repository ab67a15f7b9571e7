using YamlDotNet.Core;

namespace KafkaRestored.Restore.Resources.Yaml;

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
