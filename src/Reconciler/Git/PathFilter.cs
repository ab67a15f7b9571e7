namespace KafkaRestored.Reconciler.Git;

/// <summary>
/// Which repository paths hold resources: *.yaml/*.yml under the include paths (all when none),
/// never under the daemon-owned status and snapshot folders.
/// </summary>
public sealed class PathFilter
{
    private readonly string[] _includes;
    private readonly string[] _excludes;

    /// <summary>Builds the filter from repository-relative folders.</summary>
    public PathFilter(IEnumerable<string> includePaths, IEnumerable<string> excludedDirectories)
    {
        _includes = [.. includePaths.Select(Normalize).Where(p => p.Length > 0).Distinct()];
        _excludes = [.. excludedDirectories.Select(Normalize).Where(p => p.Length > 0).Distinct()];
    }

    /// <summary>The filter for <paramref name="options"/>.</summary>
    public static PathFilter From(ReconcilerOptions options) =>
        new(options.IncludePaths, [options.StatusDirectory, options.SnapshotDirectory]);

    /// <summary>True when the folder may contain resource files and must be walked.</summary>
    public bool ShouldWalk(string directory)
    {
        var d = Normalize(directory);
        if (_excludes.Any(e => Under(d, e))) return false;
        return _includes.Length == 0 || _includes.Any(i => Under(d, i) || Under(i, d));
    }

    /// <summary>True when the file is a resource file.</summary>
    public bool Includes(string path)
    {
        var p = Normalize(path);
        if (!p.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !p.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)) return false;
        if (_excludes.Any(e => Under(p, e))) return false;
        return _includes.Length == 0 || _includes.Any(i => Under(p, i));
    }

    private static bool Under(string path, string folder) =>
        folder.Length == 0 || path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static string Normalize(string p) => p.Replace('\\', '/').Trim('/').Trim();
}
