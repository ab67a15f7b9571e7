namespace KafkaRestored.Restore.Resources.Yaml;

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
