namespace KafkaRestored.Restore.Resources.Loading;

/// <summary>Options for walking directory trees.</summary>
/// <param name="ExcludedDirectories">Directories, relative to each directory given, that are not scanned
/// (the daemon-owned status/ and snapshots/ by default). Hidden entries (".git") are always skipped.</param>
public sealed record ResourceLoadOptions(IReadOnlyList<string> ExcludedDirectories)
{
    /// <summary>Whether spec.dependsOn is checked across the load (<see cref="DependencyCheck"/>); the one-shot
    /// commands, which run one file by hand outside the reconciler, turn it off.</summary>
    public bool CheckDependencies { get; init; } = true;

    /// <summary>Skips status/ and snapshots/, the folders the daemon writes.</summary>
    public static ResourceLoadOptions Default { get; } = new(["status", "snapshots"]);
}
