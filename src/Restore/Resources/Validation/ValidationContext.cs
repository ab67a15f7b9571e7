using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>Collects the problems of one document while it is validated.</summary>
internal sealed class ValidationContext
{
    private readonly List<Problem> _problems = [];

    public IReadOnlyList<Problem> Problems => _problems;

    public int ErrorCount { get; private set; }

    public void Error(TextPosition at, string code, string message)
    {
        _problems.Add(new Problem(at, DiagnosticSeverity.Error, code, message));
        ErrorCount++;
    }

    public void Warning(TextPosition at, string code, string message) =>
        _problems.Add(new Problem(at, DiagnosticSeverity.Warning, code, message));

    public void Add(Problem p)
    {
        _problems.Add(p);
        if (p.Severity == DiagnosticSeverity.Error) ErrorCount++;
    }

    /// <summary>Checks a scalar's tag: the standard YAML tags are fine, anything else is not ours.</summary>
    public bool CheckTag(YNode node, string path)
    {
        if (node.Tag is null or "!" || node.Tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal)) return true;
        Error(node.Start, DiagnosticCodes.UnsupportedTag,
            $"{path} carries the tag {node.Tag}; resources use plain YAML values, remove the tag");
        return false;
    }
}
