namespace KafkaRestored.Reconciler.Git;

/// <summary>A resource file at a commit: repository-relative path and blob id.</summary>
public readonly record struct RepoFile(string Path, string BlobId);

/// <summary>Outcome of a push attempt.</summary>
public enum PushOutcome
{
    /// <summary>The remote branch now points at the commit.</summary>
    Pushed,

    /// <summary>The remote refused the update (someone pushed first, or a hook declined): fetch and rebuild.</summary>
    Rejected,
}
