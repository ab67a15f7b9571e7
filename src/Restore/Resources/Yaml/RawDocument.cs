using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>One YAML document as read: its tree (when complete) and the problems found while reading it.</summary>
/// <param name="Root">The root node; for an aborted document, the part read before the problem (for its identity).</param>
/// <param name="Start">Where the document's root starts.</param>
/// <param name="Complete">False when reading stopped early (syntax error or a cap); then only the identity is used.</param>
/// <param name="Foreign">The document has another apiVersion (or is no mapping): it is ignored.</param>
/// <param name="ApiVersion">The root's apiVersion when it was seen.</param>
/// <param name="Problems">Errors found while reading.</param>
/// <param name="NestedOurs">How often our apiVersion appears as a value below the root (a Kubernetes
/// List from <c>kubectl get -o yaml</c>, or a YAML sequence of resources): such resources are not read.</param>
internal sealed record RawDocument(
    YNode? Root,
    TextPosition Start,
    bool Complete,
    bool Foreign,
    string? ApiVersion,
    IReadOnlyList<Problem> Problems,
    int NestedOurs = 0)
{
    /// <summary>Where the root's apiVersion value stands, when it was seen.</summary>
    public TextPosition? ApiVersionAt { get; init; }
}
