using System.Globalization;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Resources.Model;
using LibGit2Sharp;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace KafkaRestored.Reconciler.Git;

/// <summary>
/// Reads the status history from the daemon's clone, read-only, with a repository handle of its own (the
/// loop's is not shared across threads): the publish branch's commits that changed the status folder, newest
/// first, and per resource each phase change of its status file. The walk is cached per branch tip and bounded
/// to <see cref="MaxCommits"/> commits.
/// </summary>
public sealed class StatusHistory : IDisposable
{
    /// <summary>Commits walked back from the tip at most; older history is not shown.</summary>
    public const int MaxCommits = 2000;

    // A status file the daemon writes is a few KiB; a larger one (a human commit) is not parsed.
    private const long MaxStatusFileBytes = 256 * 1024;

    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private readonly ReconcilerOptions _options;
    private readonly Lock _gate = new();
    private Repository? _repo;
    private (string Tip, IReadOnlyList<StatusCommit> Commits)? _cache;

    /// <summary>Reads the clone of <paramref name="options"/> (opened on first use, so the loop's Git source creates it first).</summary>
    public StatusHistory(ReconcilerOptions options) => _options = options;

    /// <summary>The publish branch's commits that changed a status file, newest first (empty before the first fetch).</summary>
    public IReadOnlyList<StatusCommit> Commits()
    {
        lock (_gate)
        {
            if (Open() is not { } repo) return [];
            var tip = repo.Refs[$"refs/remotes/{GitSource.RemoteName}/{_options.PublishBranch}"]?.ResolveToDirectReference()?.TargetIdentifier;
            if (tip is null) return [];
            if (_cache is { } c && c.Tip == tip) return c.Commits;
            var commits = Walk(repo, tip);
            _cache = (tip, commits);
            return commits;
        }
    }

    /// <summary>The newest commit that changed <paramref name="id"/>'s status file, or null.</summary>
    public StatusCommit? LastChange(ResourceId id) => StatusFiles.IsPathSafe(id)
        ? Commits().FirstOrDefault(c => c.Paths.Contains(StatusFiles.StatusPath(_options.StatusDirectory, id), StringComparer.Ordinal))
        : null;

    /// <summary>Each phase change of <paramref name="id"/>'s status file, newest first.</summary>
    public IReadOnlyList<StatusTransition> Transitions(ResourceId id)
    {
        if (!StatusFiles.IsPathSafe(id)) return [];
        var path = StatusFiles.StatusPath(_options.StatusDirectory, id);
        var touching = Commits().Where(c => c.Paths.Contains(path, StringComparer.Ordinal)).Reverse().ToList();
        var result = new List<StatusTransition>();
        lock (_gate)
        {
            string? phase = null;
            long? generation = null;
            foreach (var c in touching)
            {
                var t = Read(_repo!.Lookup<Commit>(c.Sha), path, c);
                // A new generation that lands in the same phase (a rerun committed only once it completed) is a change too.
                if (t.Phase == phase && t.Generation == generation) continue;
                phase = t.Phase;
                generation = t.Generation;
                result.Add(t);
            }
        }
        result.Reverse();
        return result;
    }

    private Repository? Open()
    {
        if (_repo is not null) return _repo;
        if (!Repository.IsValid(_options.RepositoryPath)) return null;
        return _repo = new Repository(_options.RepositoryPath);
    }

    private List<StatusCommit> Walk(Repository repo, string tip)
    {
        var dir = _options.StatusDirectory.Trim('/');
        var result = new List<StatusCommit>();
        var filter = new CommitFilter { IncludeReachableFrom = tip, SortBy = CommitSortStrategies.Topological | CommitSortStrategies.Time, FirstParentOnly = true };
        foreach (var commit in repo.Commits.QueryBy(filter).Take(MaxCommits))
        {
            var tree = commit[dir]?.Target as Tree;
            var parentTree = commit.Parents.FirstOrDefault()?[dir]?.Target as Tree;
            if (tree?.Id == parentTree?.Id) continue;
            var paths = repo.Diff.Compare<TreeChanges>(parentTree, tree)
                .Select(ch => dir + "/" + (ch.Status == ChangeKind.Deleted ? ch.OldPath : ch.Path)).ToList();
            if (paths.Count == 0) continue;
            result.Add(new StatusCommit(commit.Sha, commit.Committer.When, commit.MessageShort, paths));
        }
        return result;
    }

    private static StatusTransition Read(Commit commit, string path, StatusCommit c)
    {
        if (commit[path]?.Target is not Blob blob) return new StatusTransition(c.Sha, c.When, "Deleted", null, null, null, null, null);
        if (blob.Size > MaxStatusFileBytes) return new StatusTransition(c.Sha, c.When, "Unknown", null, "The status file is too large to read.", null, null, null);
        try
        {
            var status = Yaml.Deserialize<Dictionary<object, object?>>(blob.GetContentText())?.GetValueOrDefault("status") as Dictionary<object, object?>;
            var ready = (status?.GetValueOrDefault("conditions") as List<object?>)?.OfType<Dictionary<object, object?>>()
                .FirstOrDefault(x => x.GetValueOrDefault("type") as string == "Ready");
            return new StatusTransition(c.Sha, c.When, status?.GetValueOrDefault("phase") as string ?? "Unknown",
                ready?.GetValueOrDefault("reason") as string, ready?.GetValueOrDefault("message") as string,
                long.TryParse(status?.GetValueOrDefault("observedGeneration") as string, CultureInfo.InvariantCulture, out var g) ? g : null,
                Time(status?.GetValueOrDefault("startTime")), Time(status?.GetValueOrDefault("completionTime")));
        }
        catch (YamlException)
        {
            return new StatusTransition(c.Sha, c.When, "Unknown", null, "The status file is not valid YAML.", null, null, null);
        }
    }

    private static DateTimeOffset? Time(object? value) =>
        DateTimeOffset.TryParse(value as string, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate) _repo?.Dispose();
    }
}
