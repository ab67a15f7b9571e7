namespace KafkaRestored.Reconciler.Git;

/// <summary>A commit of the publish branch that changed files under the status folder: id, committer time, subject line, and the status files it changed.</summary>
public sealed record StatusCommit(string Sha, DateTimeOffset When, string Subject, IReadOnlyList<string> Paths);
