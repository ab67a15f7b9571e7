namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>A YAML mapping, keys in document order (duplicates kept so the validator can report them).</summary>
internal sealed class YMapping(TextPosition start, string? tag) : YNode(start, tag)
{
    public List<KeyValuePair<YNode, YNode>> Entries { get; } = [];

    public override string Describe() => "a mapping";
}
