namespace KafkaRestored.Reconciler.Git;

/// <summary>A resource file at a commit: repository-relative path, blob id, and whether the tree entry is a symbolic link (whose blob holds the link target).</summary>
public readonly record struct RepoFile(string Path, string BlobId, bool IsSymlink = false);

/// <summary>Outcome of a push attempt.</summary>
public enum PushOutcome
{
    /// <summary>The remote branch now points at the commit.</summary>
    Pushed,

    /// <summary>The remote refused the update (someone pushed first, or a hook declined): fetch and rebuild.</summary>
    Rejected,
}

/// <summary>A remote branch found rewritten: <paramref name="NewTip"/> does not descend from <paramref name="PreviousTip"/>.</summary>
public sealed record ForcePush(string Branch, string PreviousTip, string NewTip)
{
    /// <summary>One line for health output and logs.</summary>
    public override string ToString() => $"branch '{Branch}' rewritten: {PreviousTip[..Math.Min(12, PreviousTip.Length)]} is not an ancestor of {NewTip[..Math.Min(12, NewTip.Length)]}";
}
