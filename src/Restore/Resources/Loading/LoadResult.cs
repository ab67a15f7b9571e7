using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Restore.Resources.Loading;

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
