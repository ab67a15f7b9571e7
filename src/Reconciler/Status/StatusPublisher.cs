using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Status;

/// <summary>
/// Writes the daemon-owned files (status and snapshots) from the state store onto the tip of the
/// publish branch, commits only what changed, and pushes without force. A rejected push means
/// someone else pushed: fetch, regenerate the files on the new tip (never merging human files),
/// and push again after a jittered, doubling delay. In distributed mode each push is preceded by a
/// confirmation that this daemon still leads, and its commits name it in an <c>Instance:</c> trailer.
/// </summary>
public sealed class StatusPublisher
{
    private readonly ReconcilerOptions _options;
    private readonly GitSource _git;
    private readonly StateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ILeadership? _leadership;
    private readonly Dictionary<ResourceId, (ResourceStatus Status, string Text, string BlobId)> _rendered = [];

    /// <summary>Creates the publisher; with <paramref name="leadership"/> (distributed mode) it pushes only while this daemon leads.</summary>
    public StatusPublisher(ReconcilerOptions options, GitSource git, StateStore store, TimeProvider time, ILogger? logger = null, ILeadership? leadership = null)
    {
        _leadership = leadership;
        _options = options;
        _git = git;
        _store = store;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Keeps <paramref name="text"/>, the file another leader committed, as what <paramref name="status"/> renders to, so that taking a
    /// resource over (whose record holds only what the file says about phase and generation) does not rewrite its file.
    /// </summary>
    public void Adopt(ResourceId id, ResourceStatus status, string text, string blobId) => _rendered[id] = (status, text, blobId);

    /// <summary>Counters for health and metrics.</summary>
    public PublishCounters Counters { get; } = new();

    /// <summary>Commits and pushes whatever the store says that Git does not show yet.</summary>
    public async Task<PublishOutcome> PublishAsync(CancellationToken cancellationToken)
    {
        var branch = _options.PublishBranch;
        var delay = _options.PushRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var tip = _git.RemoteTip(branch);
                var (files, changes, snapshots) = Diff(tip);
                if (files.Count == 0)
                {
                    ClearError();
                    return PublishOutcome.UpToDate;
                }
                var message = CommitMessage.Build(changes, snapshots, _options.SkipCiMarker, _leadership?.InstanceId);
                var commit = _git.CreateCommit(tip, files, message);
                if (commit is null)
                {
                    ClearError();
                    return PublishOutcome.UpToDate;
                }
                // A deposed leader must not push: asked again before every attempt, re-pushes included.
                if (_leadership is not null && !await _leadership.ConfirmAsync(cancellationToken))
                    return Fail($"instance {_leadership.InstanceId} no longer leads its coordination group, so it does not push");
                if (await _git.PushAsync(commit, branch, cancellationToken) == PushOutcome.Pushed)
                {
                    Counters.Committed();
                    ClearError();
                    _logger.LogInformation("Pushed status commit {Commit} to {Branch}: {Subject}", commit[..12], branch, message.Split('\n')[0]);
                    return PublishOutcome.Pushed;
                }
                Counters.Rejected();
                if (attempt >= _options.PushAttempts)
                    return Fail($"Push of status to '{branch}' was refused {attempt} times in a row (a protected branch or a busy remote?); will retry next cycle.");
                await Task.Delay(Jittered(delay), _time, cancellationToken);
                delay *= 2;
                await _git.FetchAsync(cancellationToken);
            }
            catch (GitSourceException e)
            {
                return Fail(e.Message);
            }
        }
    }

    private PublishOutcome Fail(string message)
    {
        Counters.Failed();
        Counters.LastPushError = message;
        Counters.LastPushErrorAt = _time.GetUtcNow();
        _logger.LogWarning("Status not pushed: {Error}. The state store keeps the status; pushing resumes on a later cycle.", message);
        return PublishOutcome.Failed;
    }

    private void ClearError()
    {
        Counters.LastPushError = null;
        Counters.LastPushErrorAt = null;
    }

    private static TimeSpan Jittered(TimeSpan delay) => delay * (0.5 + Random.Shared.NextDouble());

    private (Dictionary<string, string?> Files, List<StatusChange> Changes, List<string> Snapshots) Diff(string? tip)
    {
        var files = new Dictionary<string, string?>(StringComparer.Ordinal);
        var changes = new List<StatusChange>();
        var existing = _git.FileIdsUnder(tip, _options.StatusDirectory);
        var records = _store.Resources();
        var wanted = new HashSet<string>(StringComparer.Ordinal);

        foreach (var record in Owners(records.Where(r => !r.Tombstone)).Values)
        {
            var status = record.PublishedStatus ?? record.Status;
            var path = StatusFiles.StatusPath(_options.StatusDirectory, record.Id);
            wanted.Add(path);
            if (!_rendered.TryGetValue(record.Id, out var r) || !r.Status.Equals(status))
            {
                var text = StatusFiles.RenderStatus(record.Id, status);
                r = (status, text, GitSource.BlobId(text));
                _rendered[record.Id] = r;
            }
            existing.TryGetValue(path, out var oldId);
            if (oldId == r.BlobId) continue;
            files[path] = r.Text;
            changes.Add(new StatusChange(record.Id, oldId is null ? null : StatusFiles.PhaseOf(_git.ReadBlob(oldId)), status));
        }

        var byPath = Owners(records.Where(r => r.Tombstone));
        foreach (var (path, oldId) in existing.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (wanted.Contains(path)) continue;
            // Only files laid out as status files are ours to remove.
            if (!byPath.TryGetValue(path, out var gone) && ParseStatusPath(path) is not { } id) continue;
            files[path] = null;
            changes.Add(new StatusChange(gone?.Id ?? ParseStatusPath(path)!.Value, StatusFiles.PhaseOf(_git.ReadBlob(oldId)), null, gone?.Deletion ?? DeletionOutcome.Deleted));
        }

        var snapshots = new List<string>();
        var existingSnapshots = _git.FileIdsUnder(tip, _options.SnapshotDirectory);
        foreach (var (snapshotId, text) in _store.SnapshotFiles())
        {
            var path = StatusFiles.SnapshotPath(_options.SnapshotDirectory, snapshotId);
            if (existingSnapshots.TryGetValue(path, out var id) && id == GitSource.BlobId(text)) continue;
            files[path] = text;
            snapshots.Add(snapshotId);
        }
        return (files, changes, snapshots);
    }

    /// <summary>
    /// The one record that owns each status path. Paths lower-case the kind, so records an older release
    /// kept for case variants of a kind (KafkaRestorE next to KafkaRestore) map to one file: the exact
    /// known kind owns it, else the first kind in ordinal order; the others are logged and never written.
    /// </summary>
    private Dictionary<string, ResourceRecord> Owners(IEnumerable<ResourceRecord> records)
    {
        var owners = new Dictionary<string, ResourceRecord>(StringComparer.Ordinal);
        foreach (var record in records.OrderBy(r => ResourceKinds.All.Contains(r.Id.Kind) ? 0 : 1).ThenBy(r => r.Id.Kind, StringComparer.Ordinal))
        {
            if (!StatusFiles.IsPathSafe(record.Id))
            {
                _logger.LogError("Not writing a status file for {Resource}: its identity cannot name a file under {Directory}/ (this is a bug: validation should have refused it)",
                    record.Id.ToString(), _options.StatusDirectory);
                continue;
            }
            var path = StatusFiles.StatusPath(_options.StatusDirectory, record.Id);
            if (owners.TryGetValue(path, out var owner))
            {
                _logger.LogWarning("Not writing {Path} for {Resource}: the file belongs to {Owner} (the state store holds both, likely from a release that accepted case variants of a kind)",
                    path, record.Id.ToString(), owner.Id.ToString());
                continue;
            }
            owners[path] = record;
        }
        return owners;
    }

    private ResourceId? ParseStatusPath(string path)
    {
        var parts = path[(_options.StatusDirectory.Trim('/').Length + 1)..].Split('/');
        if (parts.Length != 3 || !parts[2].EndsWith(".yaml", StringComparison.Ordinal)) return null;
        var kind = ResourceKinds.All.FirstOrDefault(k => k.Equals(parts[0], StringComparison.OrdinalIgnoreCase));
        return kind is null ? null : new ResourceId(kind, parts[1], parts[2][..^".yaml".Length]);
    }
}
