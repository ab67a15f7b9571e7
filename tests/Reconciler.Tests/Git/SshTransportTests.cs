using KafkaRestored.Reconciler.Git;
using KafkaRestored.TestSupport;
using KafkaRestored.TestSupport.GitServers;
using LibGit2Sharp;

namespace KafkaRestored.Reconciler.Tests.Git;

/// <summary>
/// The clone's network path (libgit2 fetch and push, never the local-path shortcut) against a real
/// sshd on loopback. Every accepted push is checked in the server's post-receive log, which names
/// the key's user: a push that went around the server would be logged as "local" or not at all.
/// </summary>
public sealed class SshTransportTests : IDisposable
{
    private readonly GitRemote _remote = new();
    private readonly GitSshServer _server;
    private readonly ListLogger _log = new();

    public SshTransportTests() => _server = new GitSshServer(_remote);

    public void Dispose()
    {
        _server.Dispose();
        _remote.Dispose();
    }

    private GitSource Source(string? key = null)
    {
        var options = new ReconcilerOptions
        {
            RepositoryUrl = _server.Url,
            Branch = _remote.Branch,
            StateDirectory = _remote.Scratch("state-" + Guid.NewGuid().ToString("N")[..8]),
            FetchTimeout = TimeSpan.FromSeconds(60),
            GitSshKeyFile = key ?? _server.BotKeyPath,
            GitSshKnownHostsFile = _server.KnownHostsPath,
        };
        Assert.Empty(options.Validate());
        return new GitSource(options, _log);
    }

    private static readonly Dictionary<string, string?> Status = new() { ["status/a.yaml"] = "phase: Running\n" };

    [GitServerFact]
    public async Task The_bundled_libgit2_speaks_ssh_and_the_clone_fetches_and_pushes_through_sshd_as_the_bot()
    {
        Assert.True(GlobalSettings.Version.Features.HasFlag(BuiltInFeatures.Ssh), $"libgit2 features: {GlobalSettings.Version.Features}");
        var human = _server.Human.Commit("add a restore", new Dictionary<string, string?> { ["restores/r.yaml"] = "r: 1\n" });
        using var git = Source();
        Assert.Equal(human, await git.FetchAsync(CancellationToken.None));
        var status = git.CreateCommit(human, Status, "status: a")!;
        Assert.Equal(PushOutcome.Pushed, await git.PushAsync(status, _remote.Branch, CancellationToken.None));

        Assert.Equal(status, _remote.RemoteGit("rev-parse", _remote.Branch).Trim());
        Assert.Equal(
            [("pat", "refs/heads/main", human), ("bot", "refs/heads/main", status)],
            _server.Hooks.AcceptedPushes().Select(p => (p.User, p.Ref, p.New)));
    }

    [GitServerFact]
    public async Task A_status_commit_on_a_tip_a_human_has_since_moved_is_refused_and_the_humans_commit_is_kept()
    {
        using var git = Source();
        var seen = await git.FetchAsync(CancellationToken.None);
        var stale = git.CreateCommit(seen, Status, "status: a")!;
        // The human pushes after our fetch and before our push: a force refspec would overwrite this commit.
        var human = _server.Human.Commit("human change", new Dictionary<string, string?> { ["restores/x.yaml"] = "x: 1\n" });

        Assert.Equal(PushOutcome.Rejected, await git.PushAsync(stale, _remote.Branch, CancellationToken.None));
        Assert.Equal(human, _remote.RemoteGit("rev-parse", _remote.Branch).Trim());
        Assert.DoesNotContain(_server.Hooks.AcceptedPushes(), p => p.User == "bot");

        // Positive control: rebuilt on the human's tip, the same change goes through.
        var rebuilt = git.CreateCommit(await git.FetchAsync(CancellationToken.None), Status, "status: a")!;
        Assert.Equal(PushOutcome.Pushed, await git.PushAsync(rebuilt, _remote.Branch, CancellationToken.None));
        Assert.Equal(human, _remote.RemoteGit("rev-parse", _remote.Branch + "^").Trim());
        Assert.Contains(_server.Hooks.AcceptedPushes(), p => p.User == "bot" && p.Old == human && p.New == rebuilt);
        Assert.DoesNotContain("forced", _remote.RemoteGit("reflog", "show", _remote.Branch), StringComparison.Ordinal);
    }

    [GitServerFact]
    public async Task A_protected_branch_refuses_the_bot_and_the_hosts_reason_is_logged()
    {
        _remote.RemoteGit("config", "receive.denyNonFastForwards", "true");
        _server.Hooks.Reject("bot", "main is protected: status goes through a pull request");
        using var git = Source();
        var tip = await git.FetchAsync(CancellationToken.None);
        var status = git.CreateCommit(tip, Status, "status: a")!;

        Assert.Equal(PushOutcome.Rejected, await git.PushAsync(status, _remote.Branch, CancellationToken.None));
        Assert.Equal(tip, _remote.RemoteGit("rev-parse", _remote.Branch).Trim());
        Assert.Contains(_log.Lines, l => l.Contains("was refused", StringComparison.Ordinal) && l.Contains("pre-receive hook declined", StringComparison.Ordinal));

        // Positive control: with the protection lifted the same commit is accepted.
        _server.Hooks.Allow("bot");
        Assert.Equal(PushOutcome.Pushed, await git.PushAsync(status, _remote.Branch, CancellationToken.None));
        Assert.Equal(status, _remote.RemoteGit("rev-parse", _remote.Branch).Trim());
    }

    [GitServerFact]
    public async Task A_key_the_server_does_not_know_fails_the_fetch_with_a_clear_reason()
    {
        using var git = Source(_server.StrangerKeyPath);
        var e = await Assert.ThrowsAsync<GitSourceException>(() => git.FetchAsync(CancellationToken.None));
        Assert.Equal("FetchFailed", e.Reason);
        Assert.Contains(_server.Url.Replace(Environment.UserName + "@", "", StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(_server.StrangerKeyPath).Split('\n')[1], e.Message, StringComparison.Ordinal);
        Assert.Contains("Failed publickey", await _server.ServerLogWithAsync("Failed publickey"), StringComparison.Ordinal);
        Assert.Empty(_server.Hooks.AcceptedPushes());
    }
}
