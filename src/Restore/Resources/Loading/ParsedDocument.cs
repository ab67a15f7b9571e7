using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>One document of our apiVersion: its identity when known, its resource when valid, its diagnostics.</summary>
internal sealed record ParsedDocument(
    ResourceId? Id,
    KafkaResource? Resource,
    int Line,
    int Column,
    IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Field positions of a valid resource, for placing policy denials; empty otherwise.</summary>
    public IReadOnlyDictionary<string, TextPosition> Fields { get; init; } = new Dictionary<string, TextPosition>();
}
