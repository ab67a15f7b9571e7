namespace KafkaRestored.Reconciler.Git;

/// <summary>
/// One phase change of a resource as its status file in Git shows it: the commit and its time, the new
/// phase ("Deleted" when the file was removed), the Ready condition's reason and message, and the run's
/// generation, start and completion time as that file gave them.
/// </summary>
public sealed record StatusTransition(string Sha, DateTimeOffset When, string Phase, string? Reason, string? Message,
    long? Generation, DateTimeOffset? StartTime, DateTimeOffset? CompletionTime);
