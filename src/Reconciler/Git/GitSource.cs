using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Git;

/// <summary>
/// The daemon's clone of the config repository, a bare repository in &lt;stateDir&gt;/repo: fetches the
/// branch with a timeout, lists and reads resource blobs straight from commit trees (no checkout),
/// builds status commits on top of a tip and pushes them, never forcing. Every message leaving this
/// class is redacted of credentials.
/// </summary>
public sealed class GitSource : IDisposable
{
    /// <summary>The remote's name in the clone.</summary>
    internal const string RemoteName = "origin";

    private readonly ReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly Repository _repo;
    private readonly PathFilter _filter;
    private readonly GitTransport _transport;
    private readonly GitWriter _writer;
    private Dictionary<(string Prefix, ObjectId Tree), List<RepoFile>> _walkCache = [];

    /// <summary>Opens the clone, creating and configuring it on first start.</summary>
    public GitSource(ReconcilerOptions options, ILogger? logger = null)
        : this(options, options.RepositoryPath, logger)
    {
    }

    /// <summary>
    /// Opens (creating on first start) a bare repository of its own at <paramref name="repositoryPath"/> with the same remote,
    /// credentials and timeouts: the Git lease fetches and pushes through it without waiting for the clone's fetches.
    /// </summary>
    internal GitSource(ReconcilerOptions options, string repositoryPath, ILogger? logger)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _filter = PathFilter.From(options);
        RepositoryPath = Path.GetFullPath(repositoryPath);
        if (!Repository.IsValid(RepositoryPath))
        {
            Directory.CreateDirectory(RepositoryPath);
            // A bare repository: reading works from trees and status commits are built in the object
            // database, so no working tree (and no "empty repo checks out master" surprise).
            Repository.Init(RepositoryPath, isBare: true);
            _logger.LogInformation("Created the clone of {Url} in {Path}", SafeUrl, RepositoryPath);
        }
        RemoveStaleLocks();
        _repo = new Repository(RepositoryPath);
        Configure();
        _transport = new GitTransport(options);
        _writer = new GitWriter(_repo, RepositoryPath, options, _transport, _logger);
    }

    /// <summary>
    /// Opens an existing repository (a working clone or a bare one, found from <paramref name="path"/>
    /// upwards) only to read its commits: no remote is configured, nothing is fetched, written or
    /// locked. For <c>plan --ref</c>, which must leave a CI checkout exactly as it found it.
    /// </summary>
    public static GitSource OpenLocal(string path, ReconcilerOptions options) => new(path, options, readOnly: true);

    private GitSource(string path, ReconcilerOptions options, bool readOnly)
    {
        _ = readOnly;
        _options = options;
        _logger = NullLogger.Instance;
        _filter = PathFilter.From(options);
        RepositoryPath = Repository.Discover(Path.GetFullPath(path))
            ?? throw new GitSourceException("RepositoryNotFound", $"{path} is not inside a Git repository; run in a clone of the config repository or give its folder.");
        _repo = new Repository(RepositoryPath);
        _transport = new GitTransport(options);
        _writer = new GitWriter(_repo, RepositoryPath, options, _transport, _logger);
    }

    /// <summary>The commit id that <paramref name="revision"/> (a branch, remote-tracking branch, tag, HEAD or commit id) names, or null when it names none.</summary>
    public string? Resolve(string revision)
    {
        try
        {
            return _repo.Lookup<Commit>(revision)?.Sha;
        }
        catch (LibGit2SharpException)
        {
            return null;
        }
    }

    /// <summary>Folder of the bare clone.</summary>
    public string RepositoryPath { get; }

    /// <summary>Repository URL without credentials, for logs.</summary>
    public string SafeUrl => UrlRedaction.Redact(_options.RepositoryUrl);

    /// <summary>Tree walks that had to read at least one tree object (a walk fully served from cache does not count).</summary>
    public long TreeObjectsRead { get; private set; }

    /// <summary>Fetches that found a branch rewritten (force-pushed) since the previous fetch or push.</summary>
    public long ForcePushesDetected => Interlocked.Read(ref _forcePushes);

    /// <summary>The latest rewrite found, or null when none was seen since start.</summary>
    public ForcePush? LastForcePush { get; private set; }

    private long _forcePushes;

    /// <summary>Called after negotiation, just before the pack is sent; lets tests race a human push deterministically.</summary>
    internal Action? BeforePushSend { get; set; }

    /// <summary>
    /// Deletes the lock files a killed process left in the clone. libgit2 takes a ref's or the
    /// config's lock by creating NAME.lock exclusively and renames it into place; SIGKILL in between
    /// leaves the lock behind and every later fetch fails with "failed to lock file". Only the
    /// commands holding the state store's writer lock (run, reconcile) open this clone, one at a
    /// time, so a lock found on opening belongs to no live process.
    /// </summary>
    private void RemoveStaleLocks()
    {
        var top = Directory.EnumerateFiles(RepositoryPath, "*.lock", SearchOption.TopDirectoryOnly);
        var refs = Path.Combine(RepositoryPath, "refs");
        var under = Directory.Exists(refs) ? Directory.EnumerateFiles(refs, "*.lock", SearchOption.AllDirectories) : [];
        foreach (var file in top.Concat(under).ToList())
        {
            File.Delete(file);
            _logger.LogWarning("Removed {Lock}, a lock file left in the clone by a process that was killed", Path.GetRelativePath(RepositoryPath, file));
        }
    }

    private void Configure()
    {
        var remote = _repo.Network.Remotes[RemoteName];
        if (remote is null) _repo.Network.Remotes.Add(RemoteName, _options.RepositoryUrl, "+refs/heads/*:refs/remotes/origin/*");
        else if (remote.Url != _options.RepositoryUrl) _repo.Network.Remotes.Update(RemoteName, r => r.Url = _options.RepositoryUrl);
        if (_options.GitSshKeyFile is { Length: > 0 } key)
        {
            // libgit2 runs core.sshCommand as a program path without splitting arguments, so the
            // options live in a small wrapper script beside the clone.
            var wrapper = Path.Combine(Path.GetDirectoryName(RepositoryPath)!, "git-ssh");
            var knownHosts = _options.GitSshKnownHostsFile is { Length: > 0 } known
                ? $" -o UserKnownHostsFile={Quote(known)} -o StrictHostKeyChecking=yes"
                : "";
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec ssh -i {Quote(key)} -o IdentitiesOnly=yes -o BatchMode=yes{knownHosts} \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            _repo.Config.Set("core.sshCommand", wrapper);
        }
        else if (_repo.Config.Get<string>("core.sshCommand") is not null)
        {
            _repo.Config.Unset("core.sshCommand");
        }
    }

    private static string Quote(string path) => "'" + Path.GetFullPath(path).Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Fetches the resource branch (and the status branch when configured) and returns the resource
    /// branch's commit id. Throws <see cref="GitSourceException"/> (FetchFailed, FetchTimedOut,
    /// BranchNotFound) with a redacted message.
    /// </summary>
    public async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        var branches = new List<string> { _options.Branch };
        if (_options.UsesStatusBranch) branches.Add(_options.PublishBranch);
        var before = branches.ToDictionary(b => b, RemoteTip);
        await _transport.RunAsync("FetchFailed", "FetchTimedOut", "fetch", token =>
        {
            var fetch = new FetchOptions
            {
                CredentialsProvider = _transport.Credentials(),
                TagFetchMode = TagFetchMode.None,
                // Without pruning, a branch deleted on the remote keeps its old tracking ref and the
                // daemon would go on serving that stale commit instead of reporting BranchNotFound.
                Prune = true,
                OnTransferProgress = _ => !token.IsCancellationRequested,
                OnProgress = _ => !token.IsCancellationRequested,
            };
            var refspecs = branches.Select(b => $"+refs/heads/{b}:refs/remotes/{RemoteName}/{b}");
            Commands.Fetch(_repo, RemoteName, refspecs, fetch, null);
        }, cancellationToken);
        foreach (var (branch, previous) in before) DetectRewrite(branch, previous, RemoteTip(branch));
        return RemoteTip(_options.Branch)
            ?? throw new GitSourceException("BranchNotFound",
                $"Branch '{_options.Branch}' does not exist in {SafeUrl}. Push it, or set --branch to an existing branch. " +
                "(The daemon never treats a missing branch as 'every resource deleted'.)");
    }

    /// <summary>
    /// A tip that does not descend from the one seen before means someone rewrote the branch (push
    /// --force, a reset, a rebase). Nothing is undone: the state store, not Git history, knows what
    /// ran, so completed work is never re-run and missing status files are committed again.
    /// </summary>
    private void DetectRewrite(string branch, string? previous, string? current)
    {
        if (previous is null || current is null || previous == current) return;
        var old = _repo.Lookup<Commit>(previous);
        var now = _repo.Lookup<Commit>(current);
        if (old is null || now is null) return;
        if (_repo.ObjectDatabase.FindMergeBase(old, now)?.Sha == old.Sha) return;
        Interlocked.Increment(ref _forcePushes);
        LastForcePush = new ForcePush(branch, previous, current);
        _logger.LogWarning(
            "Branch '{Branch}' of {Url} was force-pushed: its tip moved from {Previous} to {Current}, which does not contain the previous tip. " +
            "Resources are compared by spec with the state store, so completed work is not re-run; a resource whose YAML the rewrite " +
            "removed counts as deleted, and status files the rewrite dropped are committed again.",
            branch, SafeUrl, previous[..12], current[..12]);
    }

    /// <summary>The fetched tip of <paramref name="branch"/>, or null when the remote has no such branch.</summary>
    public string? RemoteTip(string branch) => _repo.Refs[$"refs/remotes/{RemoteName}/{branch}"]?.ResolveToDirectReference()?.TargetIdentifier;

    /// <summary>Resource files (path and blob id) at <paramref name="commit"/>, by path. Unchanged subtrees come from a cache.</summary>
    public IReadOnlyList<RepoFile> ListResourceFiles(string commit)
    {
        var c = LookupCommit(commit);
        var next = new Dictionary<(string, ObjectId), List<RepoFile>>();
        var files = Walk(c.Tree, "", next);
        _walkCache = next;
        return files;
    }

    private List<RepoFile> Walk(Tree tree, string prefix, Dictionary<(string, ObjectId), List<RepoFile>> next)
    {
        var key = (prefix, tree.Id);
        if (_walkCache.TryGetValue(key, out var cached) || next.TryGetValue(key, out cached))
        {
            next[key] = cached;
            return cached;
        }
        TreeObjectsRead++;
        var result = new List<RepoFile>();
        foreach (var entry in tree)
        {
            var path = prefix.Length == 0 ? entry.Name : prefix + "/" + entry.Name;
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Tree when _filter.ShouldWalk(path):
                    result.AddRange(Walk((Tree)entry.Target, path, next));
                    break;
                case TreeEntryTargetType.Blob when _filter.Includes(path):
                    result.Add(new RepoFile(path, entry.Target.Sha, entry.Mode == Mode.SymbolicLink));
                    break;
            }
        }
        next[key] = result;
        return result;
    }

    /// <summary>Text of a blob (UTF-8).</summary>
    public string ReadBlob(string blobId) => _repo.Lookup<Blob>(blobId)?.GetContentText()
        ?? throw new GitSourceException("ObjectMissing", $"Blob {blobId} is not in the clone {RepositoryPath}.");

    /// <summary>Size in bytes of a blob and whether Git considers it binary (a NUL byte, or mostly non-printable, in its first 8000 bytes), read without loading the content as text.</summary>
    public (long Size, bool IsBinary) DescribeBlob(string blobId)
    {
        var blob = _repo.Lookup<Blob>(blobId) ?? throw new GitSourceException("ObjectMissing", $"Blob {blobId} is not in the clone {RepositoryPath}.");
        return (blob.Size, blob.IsBinary);
    }

    /// <summary>Text of <paramref name="path"/> at <paramref name="commit"/>, or null when absent.</summary>
    public string? ReadFile(string commit, string path) =>
        LookupCommit(commit)[path]?.Target is Blob b ? b.GetContentText() : null;

    /// <summary>Files under <paramref name="directory"/> at <paramref name="commit"/> with their blob ids (null commit: none).</summary>
    public IReadOnlyDictionary<string, string> FileIdsUnder(string? commit, string directory)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (commit is null) return result;
        var dir = directory.Trim('/');
        if (LookupCommit(commit)[dir]?.Target is not Tree tree) return result;
        Collect(tree, dir, result);
        return result;

        static void Collect(Tree t, string prefix, Dictionary<string, string> into)
        {
            foreach (var e in t)
            {
                var p = prefix + "/" + e.Name;
                if (e.TargetType == TreeEntryTargetType.Tree) Collect((Tree)e.Target, p, into);
                else if (e.TargetType == TreeEntryTargetType.Blob) into[p] = e.Target.Sha;
            }
        }
    }

    /// <summary>The blob id Git gives <paramref name="text"/> (UTF-8), computed without writing anything.</summary>
    public static string BlobId(string text)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var header = System.Text.Encoding.ASCII.GetBytes($"blob {bytes.Length}\0");
#pragma warning disable CA5350 // Git object ids are SHA-1 by definition; not used for security.
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData([.. header, .. bytes]));
#pragma warning restore CA5350
    }

    /// <summary>
    /// Builds a commit on <paramref name="parent"/> (null: a first, parentless commit) with
    /// <paramref name="changes"/> applied (path → new text, or null to delete). Returns null when the
    /// resulting tree equals the parent's: an unchanged status is never committed.
    /// </summary>
    public string? CreateCommit(string? parent, IReadOnlyDictionary<string, string?> changes, string message) =>
        _writer.CreateCommit(parent is null ? null : LookupCommit(parent), changes, message);

    /// <summary>
    /// Pushes <paramref name="commit"/> to <paramref name="branch"/> without force. Returns
    /// <see cref="PushOutcome.Rejected"/> when the remote moved or refused the update; throws
    /// <see cref="GitSourceException"/> (PushFailed, PushTimedOut) for transport errors.
    /// </summary>
    public Task<PushOutcome> PushAsync(string commit, string branch, CancellationToken cancellationToken) =>
        _writer.PushAsync(commit, branch, BeforePushSend, cancellationToken);

    /// <summary>
    /// Fetches only <paramref name="remoteRef"/> (a full ref name) into <paramref name="localRef"/> and returns the commit it
    /// names on the remote, or null when the remote has no such ref. Throws <see cref="GitSourceException"/> as <see cref="FetchAsync"/>.
    /// </summary>
    internal async Task<string?> FetchRefAsync(string remoteRef, string localRef, CancellationToken cancellationToken)
    {
        await _transport.RunAsync("FetchFailed", "FetchTimedOut", "fetch", token =>
        {
            // The local copy goes first, so a ref deleted on the remote reads as absent, not as its last value.
            if (_repo.Refs[localRef] is not null) _repo.Refs.Remove(localRef);
            var fetch = new FetchOptions
            {
                CredentialsProvider = _transport.Credentials(),
                TagFetchMode = TagFetchMode.None,
                OnTransferProgress = _ => !token.IsCancellationRequested,
                OnProgress = _ => !token.IsCancellationRequested,
            };
            Commands.Fetch(_repo, RemoteName, [$"+{remoteRef}:{localRef}"], fetch, null);
        }, cancellationToken);
        return _repo.Refs[localRef]?.ResolveToDirectReference()?.TargetIdentifier;
    }

    /// <summary>The message and committer time of <paramref name="commit"/> (which must be in the repository).</summary>
    internal (string Message, DateTimeOffset When) ReadCommit(string commit)
    {
        var c = LookupCommit(commit);
        return (c.Message, c.Committer.When);
    }

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="descendant"/> or one of its ancestors.</summary>
    internal bool IsAncestor(string ancestor, string descendant) =>
        ancestor == descendant || _repo.ObjectDatabase.FindMergeBase(LookupCommit(ancestor), LookupCommit(descendant))?.Sha == ancestor;

    /// <summary>A commit with the empty tree on <paramref name="parent"/> (null: parentless), made even when the parent's tree is empty too.</summary>
    internal string CreateEmptyCommit(string? parent, string message) =>
        _writer.CreateEmptyCommit(parent is null ? null : LookupCommit(parent), message);

    /// <summary>
    /// Pushes <paramref name="commit"/> to the remote ref <paramref name="remoteRef"/> without force; null when it moved there,
    /// else the remote's refusal (a non-fast-forward, a hook or a permission), redacted. Throws <see cref="GitSourceException"/>
    /// (PushFailed, PushTimedOut) for transport errors.
    /// </summary>
    internal Task<string?> PushRefAsync(string commit, string remoteRef, string localRef, CancellationToken cancellationToken) =>
        _writer.PushRefAsync(commit, remoteRef, localRef, BeforePushSend, cancellationToken);

    private Commit LookupCommit(string sha) => _repo.Lookup<Commit>(sha)
        ?? throw new GitSourceException("ObjectMissing", $"Commit {sha} is not in the clone {RepositoryPath}; fetch first.");

    /// <inheritdoc />
    public void Dispose()
    {
        // A fetch or push stuck in libgit2 (a remote that never answers) still uses the native
        // repository: freeing it under that thread would crash the process. Wait briefly (a call
        // that is about to end ends now; a stuck one would outlast systemd's stop timeout), and if it
        // is still stuck, leave the handle to process exit rather than free it.
        if (!_transport.InFlight.IsCompleted && !((IAsyncResult)_transport.InFlight).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(5)))
        {
            _logger.LogWarning("A Git operation on {Url} is still running at shutdown; the clone is left open until the process exits.", SafeUrl);
            return;
        }
        _repo.Dispose();
        _transport.Dispose();
    }
}
