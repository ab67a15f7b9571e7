using KafkaRestored.Restore.Resources;

namespace KafkaRestored.Reconciler.Resources;

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

/// <summary>The valid resources and every diagnostic of one load. A resource with errors is not in
/// <see cref="Resources"/>; its diagnostics carry its identity when known.</summary>
public sealed record LoadResult(IReadOnlyList<LoadedResource> Resources, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when any diagnostic is an error.</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>Number of error diagnostics.</summary>
    public int ErrorCount => Diagnostics.Count(d => d.IsError);

    /// <summary>Number of warning diagnostics.</summary>
    public int WarningCount => Diagnostics.Count(d => !d.IsError);

    /// <summary>Number of files read (for summaries).</summary>
    public int FileCount { get; init; }
}

/// <summary>One file parsed and validated on its own, before duplicate identities across files are checked.
/// Immutable, so a caller may cache it per blob and pass it to <see cref="ResourceLoader.Combine"/> again.</summary>
public sealed class ParsedFile
{
    internal ParsedFile(string file, IReadOnlyList<ParsedDocument> documents, IReadOnlyList<Diagnostic> fileDiagnostics)
    {
        File = file;
        Documents = documents;
        FileDiagnostics = fileDiagnostics;
    }

    /// <summary>The path used in diagnostics.</summary>
    public string File { get; }

    internal IReadOnlyList<ParsedDocument> Documents { get; }

    internal IReadOnlyList<Diagnostic> FileDiagnostics { get; }
}

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
