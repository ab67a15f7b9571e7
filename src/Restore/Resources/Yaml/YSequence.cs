namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>A YAML sequence.</summary>
internal sealed class YSequence(TextPosition start, string? tag) : YNode(start, tag)
{
    public List<YNode> Items { get; } = [];

    public override string Describe() => "a list";
}
