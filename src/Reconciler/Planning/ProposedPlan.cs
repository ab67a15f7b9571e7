using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Planning;

/// <summary>
/// The plan of a proposed revision computed from the repository alone, for a pull request's CI:
/// the records the daemon would hold are rebuilt from the status files committed on the tracked
/// branch (each generation's spec read at its status.sourceRevision), then the same
/// <see cref="Planner"/> the daemon runs plans the proposed commit against them.
/// </summary>
/// <param name="BaseCommit">The tracked branch's commit the records were rebuilt from.</param>
/// <param name="ProposedCommit">The commit planned.</param>
/// <param name="Desired">The resources at the proposed commit.</param>
/// <param name="Records">The records rebuilt from the status files.</param>
/// <param name="Actions">The planned actions, as the daemon orders them.</param>
/// <param name="Problems">What could not be rebuilt (a status file unreadable, a sourceRevision missing from the clone), each naming the file and what to do.</param>
public sealed record ProposedPlan(string BaseCommit, string ProposedCommit, DesiredState Desired, IReadOnlyList<ResourceRecord> Records,
    IReadOnlyList<PlanAction> Actions, IReadOnlyList<string> Problems)
{
    /// <summary>
    /// Plans <paramref name="proposedCommit"/> against the status files at <paramref name="statusCommit"/>
    /// (the tracked branch, or the status branch when one is set), with <paramref name="baseCommit"/> as
    /// the last commit the daemon saw. A status that says Running is taken as running in the daemon, as
    /// it is while the daemon works on it; pruning of run data is taken as done (the files do not say
    /// whether it happened, and it changes nothing in Git).
    /// </summary>
    public static ProposedPlan Compute(GitSource git, DesiredStateLoader loader, ReconcilerOptions options,
        string baseCommit, string statusCommit, string proposedCommit, DateTimeOffset now)
    {
        var problems = new List<string>();
        var atBase = loader.Load(baseCommit);
        var byRevision = new Dictionary<string, DesiredState?>(StringComparer.Ordinal) { [baseCommit] = atBase };
        var records = new List<ResourceRecord>();
        foreach (var (path, blob) in git.FileIdsUnder(statusCommit, options.StatusDirectory).OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (!path.EndsWith(".yaml", StringComparison.Ordinal)) continue;
            var status = CommittedStatus.Parse(path, git.ReadBlob(blob), out var problem);
            if (status is null)
            {
                problems.Add(problem!);
                continue;
            }
            if (Rebuild(status, git, loader, atBase, byRevision, problems) is { } record) records.Add(record);
        }
        var proposed = loader.Load(proposedCommit);
        var running = records.Where(r => r.Phase == ResourcePhase.Running).Select(r => r.Id).ToHashSet();
        var actions = Planner.Plan(proposed, records, new PlanContext(now, options.MaxConcurrentRestores, running, SyncWindows.From(options.SyncWindows)));
        return new ProposedPlan(baseCommit, proposedCommit, proposed, records, actions, problems);
    }

    /// <summary>The record the daemon holds for <paramref name="status"/>: the spec hash of its generation's commit, the spec last seen at the base.</summary>
    private static ResourceRecord? Rebuild(CommittedStatus status, GitSource git, DesiredStateLoader loader, DesiredState atBase,
        Dictionary<string, DesiredState?> byRevision, List<string> problems)
    {
        var revision = status.SourceRevision ?? atBase.Commit;
        if (!byRevision.TryGetValue(revision, out var atRevision))
        {
            atRevision = git.Resolve(revision) is { } sha ? loader.Load(sha) : null;
            byRevision[revision] = atRevision;
        }
        if (atRevision is null)
        {
            problems.Add($"{status.Path}: status.sourceRevision {revision} is not in this clone, so what ran cannot be compared; " +
                "fetch the whole history (git fetch --unshallow, or actions/checkout with fetch-depth: 0)");
            return null;
        }
        atBase.Resources.TryGetValue(status.Id, out var seen);
        if (!atRevision.Resources.TryGetValue(status.Id, out var ran))
        {
            // Not defined at its own revision (the file was rewritten by hand): what the daemon saw last stands in.
            ran = seen;
            if (ran is null)
            {
                problems.Add($"{status.Path}: {status.Id} is defined neither at its status.sourceRevision {revision[..Math.Min(12, revision.Length)]} nor at the base, " +
                    "so what ran cannot be compared; the daemon's state decides (kafka-restored plan on its host shows it)");
                return null;
            }
        }
        return new ResourceRecord
        {
            Id = status.Id,
            SpecHash = ran.SpecHash,
            DesiredSpecHash = seen?.SpecHash ?? ran.SpecHash,
            RerunValue = ran.RerunValue,
            DesiredRerunValue = seen?.RerunValue,
            SourceFile = ran.Location.File,
            Job = ran.Job,
            Status = ResourceStatus.Empty(status.Id.Kind) with
            {
                Phase = status.Phase,
                ObservedGeneration = status.Generation,
                Attempts = status.Attempts,
                SourceRevision = status.SourceRevision,
                StartTime = status.StartTime,
                CompletionTime = status.CompletionTime,
            },
            CreatedAt = status.StartTime ?? DateTimeOffset.UnixEpoch,
            RunDataPruned = true,
        };
    }
}
