using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// What a daemon does as it becomes the leader: its own store knows only what it ran, so the resources whose status
/// another leader committed are taken over from Git, rebuilt as <c>plan --ref</c> rebuilds them (<see cref="ProposedPlan"/>).
/// A Completed restore is then kept, not run again; the committed file stays as it is until the status changes.
/// </summary>
public static class LeaderTakeover
{
    /// <summary>
    /// Saves a record for every committed status this store lacks (or holds exactly as committed, after a restart) and
    /// lets <paramref name="publisher"/> keep the committed file for it; returns how many resources were taken over.
    /// </summary>
    public static int Adopt(GitSource git, DesiredStateLoader loader, ReconcilerOptions options, StateStore store, StatusPublisher publisher,
        string commit, DateTimeOffset now, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(git);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(publisher);
        var statusCommit = git.RemoteTip(options.PublishBranch) ?? commit;
        var rebuilt = ProposedPlan.Compute(git, loader, options, commit, statusCommit, commit, now);
        foreach (var problem in rebuilt.Problems) logger.LogWarning("Taking over status: {Problem}", problem);
        var files = git.FileIdsUnder(statusCommit, options.StatusDirectory);
        var saved = new List<ResourceRecord>();
        foreach (var record in rebuilt.Records)
        {
            var local = store.Find(record.Id);
            if (local is not null && !local.Status.Equals(record.Status)) continue;
            if (!files.TryGetValue(StatusFiles.StatusPath(options.StatusDirectory, record.Id), out var blob)) continue;
            if (local is null) saved.Add(record);
            publisher.Adopt(record.Id, record.Status, git.ReadBlob(blob), blob);
        }
        if (saved.Count > 0)
        {
            store.Save(saved);
            logger.LogInformation("Took over {Count} resources from the status another leader committed: {Resources}", saved.Count,
                string.Join(", ", saved.Select(r => $"{r.Id} ({r.Phase})")));
        }
        return saved.Count;
    }
}
