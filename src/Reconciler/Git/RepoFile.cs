namespace KafkaRestored.Reconciler.Git;

/// <summary>A resource file at a commit: repository-relative path, blob id, and whether the tree entry is a symbolic link (whose blob holds the link target).</summary>
public readonly record struct RepoFile(string Path, string BlobId, bool IsSymlink = false);
