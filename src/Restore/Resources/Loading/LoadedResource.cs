using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>A valid resource and where its document starts (1-based line and column of its root mapping).</summary>
public sealed record LoadedResource(KafkaResource Resource, string File, int Line, int Column)
{
    /// <summary>Where each field of the document is, by dotted path ("spec.targetCluster.bootstrapServers[0]").</summary>
    internal IReadOnlyDictionary<string, TextPosition> Fields { get; init; } = new Dictionary<string, TextPosition>();

    /// <summary>
    /// Line and column of a field given by its dotted path: the value of a scalar, the key of a
    /// mapping or list; the nearest enclosing field when the path is not in the document, the
    /// document start when none is.
    /// </summary>
    public (int Line, int Column) PositionOf(string fieldPath)
    {
        ArgumentNullException.ThrowIfNull(fieldPath);
        var path = fieldPath;
        while (path.Length > 0)
        {
            if (Fields.TryGetValue(path, out var at)) return (at.Line, at.Column);
            var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut < 0 ? "" : path[..cut];
        }
        return (Line, Column);
    }
}
