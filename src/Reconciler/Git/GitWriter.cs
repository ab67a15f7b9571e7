using LibGit2Sharp;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Git;

/// <summary>
/// The clone's write path: builds status commits in the object database on top of a tip and pushes
/// them without force, over the network or, for a repository on this machine, through git's receive-pack.
/// </summary>
internal sealed class GitWriter(Repository repo, string repositoryPath, ReconcilerOptions options, GitTransport transport, ILogger logger)
{
    /// <summary>See <see cref="GitSource.CreateCommit"/>.</summary>
    public string? CreateCommit(Commit? parentCommit, IReadOnlyDictionary<string, string?> changes, string message)
    {
        var definition = parentCommit is null ? new TreeDefinition() : TreeDefinition.From(parentCommit);
        foreach (var (path, text) in changes)
        {
            if (text is null)
            {
                definition.Remove(path);
                continue;
            }
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
            var blob = repo.ObjectDatabase.CreateBlob(stream);
            definition.Add(path, blob, Mode.NonExecutableFile);
        }
        var tree = repo.ObjectDatabase.CreateTree(definition);
        if (parentCommit is not null && tree.Id == parentCommit.Tree.Id) return null;
        if (parentCommit is null && tree.Count == 0) return null;
        var bot = new Signature(options.BotName, options.BotEmail, DateTimeOffset.Now);
        var commit = repo.ObjectDatabase.CreateCommit(bot, bot, message, tree,
            parentCommit is null ? [] : [parentCommit], prettifyMessage: false);
        return commit.Sha;
    }

    /// <summary>See <see cref="GitSource.CreateEmptyCommit"/>.</summary>
    public string CreateEmptyCommit(Commit? parentCommit, string message)
    {
        var tree = repo.ObjectDatabase.CreateTree(new TreeDefinition());
        var bot = new Signature(options.BotName, options.BotEmail, DateTimeOffset.Now);
        return repo.ObjectDatabase.CreateCommit(bot, bot, message, tree, parentCommit is null ? [] : [parentCommit], prettifyMessage: false).Sha;
    }

    /// <summary>See <see cref="GitSource.PushAsync"/>; <paramref name="beforeSend"/> runs just before the pack is sent.</summary>
    public async Task<PushOutcome> PushAsync(string commit, string branch, Action? beforeSend, CancellationToken cancellationToken)
    {
        var outcome = PushOutcome.Pushed;
        await transport.RunAsync("PushFailed", "PushTimedOut", "push", token =>
        {
            var localRef = $"refs/heads/{branch}";
            repo.Refs.Add(localRef, new ObjectId(commit), allowOverwrite: true);
            var refused = LocalRemotePath() is { } remotePath
                ? PushToLocalRepository(remotePath, commit, localRef, beforeSend)
                : PushOverNetwork(localRef, localRef, beforeSend, token);
            if (refused is not null)
            {
                outcome = PushOutcome.Rejected;
                logger.LogInformation("Push of {Commit} to {Branch} was refused: {Reason}", commit[..12], branch, transport.Redact(refused));
                return;
            }
            // Record what the remote now has, as a fetch would.
            repo.Refs.Add($"refs/remotes/{GitSource.RemoteName}/{branch}", new ObjectId(commit), allowOverwrite: true);
        }, cancellationToken);
        return outcome;
    }

    /// <summary>
    /// Pushes <paramref name="commit"/> to the remote ref <paramref name="remoteRef"/> (a full ref name) without force, through
    /// <paramref name="localRef"/>; returns null when the remote ref now points at it, else the remote's refusal (redacted).
    /// </summary>
    public async Task<string?> PushRefAsync(string commit, string remoteRef, string localRef, Action? beforeSend, CancellationToken cancellationToken)
    {
        string? refused = null;
        await transport.RunAsync("PushFailed", "PushTimedOut", "push", token =>
        {
            repo.Refs.Add(localRef, new ObjectId(commit), allowOverwrite: true);
            refused = LocalRemotePath() is { } remotePath
                ? PushToLocalRepository(remotePath, commit, remoteRef, beforeSend)
                : PushOverNetwork(localRef, remoteRef, beforeSend, token);
        }, cancellationToken);
        return refused is null ? null : transport.Redact(refused);
    }

    private string? PushOverNetwork(string localRef, string remoteRef, Action? beforeSend, CancellationToken token)
    {
        string? refused = null;
        var push = new PushOptions
        {
            CredentialsProvider = transport.Credentials(),
            OnPushStatusError = e => refused = e.Message,
            OnPushTransferProgress = (_, _, _) => !token.IsCancellationRequested,
            OnNegotiationCompletedBeforePush = _ =>
            {
                beforeSend?.Invoke();
                return !token.IsCancellationRequested;
            },
        };
        try
        {
            // No '+' in the refspec: libgit2 refuses a non-fast-forward update, and receive-pack on
            // the server only moves the ref from the value it advertised, so a concurrent push fails.
            repo.Network.Push(repo.Network.Remotes[GitSource.RemoteName], $"{localRef}:{remoteRef}", push);
        }
        catch (NonFastForwardException)
        {
            refused = "non-fast-forward";
        }
        return refused;
    }

    /// <summary>
    /// Push to a repository on this machine through the git command. libgit2's local transport
    /// moves the remote ref without checking its old value (a human push made meanwhile would be
    /// silently overwritten); git's receive-pack checks it under the ref lock and runs the
    /// remote's hooks, as over the network.
    /// </summary>
    private string? PushToLocalRepository(string remotePath, string commit, string remoteRef, Action? beforeSend)
    {
        beforeSend?.Invoke();
        var start = new System.Diagnostics.ProcessStartInfo("git")
        {
            WorkingDirectory = repositoryPath,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "push", "--porcelain", remotePath, $"{commit}:{remoteRef}" }) start.ArgumentList.Add(a);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        System.Diagnostics.Process process;
        try
        {
            process = System.Diagnostics.Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GitSourceException("PushFailed",
                $"Pushing to the local repository {remotePath} needs the git command, which could not be started ({e.Message}). Install git.");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            var rejected = stdout.Result.Split('\n').FirstOrDefault(l => l.StartsWith('!'));
            if (rejected is not null) return rejected.Split('\t').Last().Trim();
            if (process.ExitCode != 0)
                throw new GitSourceException("PushFailed", $"git push to {remotePath} failed: {transport.Redact(stderr.Result.Trim())}");
            return null;
        }
    }

    /// <summary>Folder of the remote when it is on this machine (a path or file:// URL), else null.</summary>
    private string? LocalRemotePath()
    {
        var url = options.RepositoryUrl;
        if (url.StartsWith("file://", StringComparison.OrdinalIgnoreCase)) return new Uri(url).LocalPath;
        if (url.Contains("://", StringComparison.Ordinal)) return null;
        return Path.IsPathRooted(url) || url.StartsWith('.') || Directory.Exists(url) ? Path.GetFullPath(url) : null;
    }
}
