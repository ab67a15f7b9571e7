using KafkaRestored.Reconciler.Git;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Git;

public sealed class GitSourceTests
{
    private static ReconcilerOptions Options(GitRemote remote, string stateDir) => new()
    {
        RepositoryUrl = remote.BarePath,
        Branch = remote.Branch,
        StateDirectory = stateDir,
        FetchTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task First_fetch_clones_into_the_state_directory_and_lists_only_resource_files()
    {
        using var remote = new GitRemote();
        var head = remote.HumanCommit("add resources", new Dictionary<string, string?>
        {
            ["restores/a.yaml"] = "a: 1\n",
            ["restores/deep/b.yml"] = "b: 1\n",
            ["restores/notes.txt"] = "not yaml\n",
            ["status/kafkarestore/default/a.yaml"] = "status: {}\n",
            ["snapshots/s.yaml"] = "x: 1\n",
            ["other/c.yaml"] = "c: 1\n",
        });
        var state = remote.Scratch("state");
        using var git = new GitSource(Options(remote, state));
        Assert.Equal(head, await git.FetchAsync(CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(state, "repo")));
        Assert.Equal(["other/c.yaml", "restores/a.yaml", "restores/deep/b.yml"], git.ListResourceFiles(head).Select(f => f.Path).Order());
        var a = git.ListResourceFiles(head).Single(f => f.Path == "restores/a.yaml");
        Assert.Equal("a: 1\n", git.ReadBlob(a.BlobId));

        var options = Options(remote, state);
        options.IncludePaths.Add("restores/deep");
        using var narrowed = new GitSource(options);
        Assert.Equal(["restores/deep/b.yml"], narrowed.ListResourceFiles(head).Select(f => f.Path));
    }

    [Fact]
    public async Task A_commit_that_only_touches_status_reuses_every_cached_subtree()
    {
        using var remote = new GitRemote();
        var files = new Dictionary<string, string?>();
        for (var d = 0; d < 5; d++)
            for (var f = 0; f < 20; f++) files[$"team{d}/r{f}.yaml"] = $"n: {f}\n";
        var first = remote.HumanCommit("resources", files);
        using var git = new GitSource(Options(remote, remote.Scratch("state")));
        await git.FetchAsync(CancellationToken.None);
        Assert.Equal(100, git.ListResourceFiles(first).Count);
        var before = git.TreeObjectsRead;
        var second = remote.HumanCommit("status only", new Dictionary<string, string?> { ["status/x.yaml"] = "s: 1\n" });
        Assert.Equal(second, await git.FetchAsync(CancellationToken.None));
        Assert.Equal(100, git.ListResourceFiles(second).Count);
        Assert.Equal(1, git.TreeObjectsRead - before);
    }

    [Fact]
    public async Task A_missing_branch_is_an_error_not_an_empty_repository()
    {
        using var remote = new GitRemote();
        var options = Options(remote, remote.Scratch("state"));
        options.Branch = "no-such-branch";
        using var git = new GitSource(options);
        var e = await Assert.ThrowsAsync<GitSourceException>(() => git.FetchAsync(CancellationToken.None));
        Assert.Equal("BranchNotFound", e.Reason);
        Assert.Contains("no-such-branch", e.Message);
    }

    [Fact]
    public async Task Credentials_never_appear_in_errors()
    {
        using var remote = new GitRemote();
        var tokenFile = Path.Combine(remote.Scratch("secrets"), "token");
        File.WriteAllText(tokenFile, "tok-SECRET-123\n");
        var options = Options(remote, remote.Scratch("state"));
        options.RepositoryUrl = "http://alice:pa55word@127.0.0.1:1/config.git";
        options.GitTokenFile = tokenFile;
        using var git = new GitSource(options);
        var e = await Assert.ThrowsAsync<GitSourceException>(() => git.FetchAsync(CancellationToken.None));
        Assert.Equal("FetchFailed", e.Reason);
        Assert.DoesNotContain("pa55word", e.Message);
        Assert.DoesNotContain("alice", e.Message);
        Assert.DoesNotContain("tok-SECRET-123", e.Message);
        Assert.Contains("http://127.0.0.1:1/config.git", e.Message);
        Assert.Equal("http://127.0.0.1:1/config.git", git.SafeUrl);
    }

    [Fact]
    public void Redaction_removes_user_info_from_every_url_in_a_text()
    {
        Assert.Equal("failed https://host/x.git and ssh://host:22/y",
            UrlRedaction.Redact("failed https://u:p@host/x.git and ssh://git@host:22/y"));
        Assert.Equal("token *** leaked", UrlRedaction.Redact("token abc leaked", ["abc"]));
    }

    [Fact]
    public async Task An_ssh_key_is_used_through_a_core_sshCommand_wrapper_that_runs_the_system_ssh()
    {
        using var remote = new GitRemote();
        var key = Path.Combine(remote.Scratch("secrets"), "id_ed25519");
        File.WriteAllText(key, "not a real key");
        var options = Options(remote, remote.Scratch("state"));
        options.GitSshKeyFile = key;
        options.RepositoryUrl = "ssh://git@127.0.0.1:1/config.git";
        using var git = new GitSource(options);
        var wrapper = GitRemote.Git(options.RepositoryPath, "config", "core.sshCommand").Trim();
        Assert.Equal($"exec ssh -i '{key}' -o IdentitiesOnly=yes -o BatchMode=yes \"$@\"", File.ReadAllLines(wrapper)[1]);
        // libgit2 ran the wrapper (ssh itself then failed to connect), rather than "cannot run".
        var e = await Assert.ThrowsAsync<GitSourceException>(() => git.FetchAsync(CancellationToken.None));
        Assert.Contains("could not read refs", e.Message);
        Assert.DoesNotContain("git@", e.Message);
    }

    [Fact]
    public async Task Commits_are_built_without_a_checkout_skipped_when_unchanged_and_never_forced()
    {
        using var remote = new GitRemote();
        using var git = new GitSource(Options(remote, remote.Scratch("state")));
        var tip = await git.FetchAsync(CancellationToken.None);
        var files = new Dictionary<string, string?> { ["status/a.yaml"] = "phase: Running\n" };
        var mine = git.CreateCommit(tip, files, "status: a")!;
        Assert.Null(git.CreateCommit(mine, files, "status: a again"));

        remote.HumanCommit("human change", new Dictionary<string, string?> { ["restores/x.yaml"] = "x: 1\n" });
        Assert.Equal(PushOutcome.Rejected, await git.PushAsync(mine, remote.Branch, CancellationToken.None));
        var humanTip = await git.FetchAsync(CancellationToken.None);
        var rebuilt = git.CreateCommit(humanTip, files, "status: a")!;
        Assert.Equal(PushOutcome.Pushed, await git.PushAsync(rebuilt, remote.Branch, CancellationToken.None));
        Assert.Equal(rebuilt, remote.RemoteGit("rev-parse", remote.Branch).Trim());
        Assert.Equal("phase: Running\n", remote.RemoteGit("show", $"{remote.Branch}:status/a.yaml"));
        Assert.DoesNotContain("forced", remote.RemoteGit("reflog", "show", remote.Branch));
        Assert.Equal(rebuilt, git.RemoteTip(remote.Branch));
    }

    [Fact]
    public async Task Lock_files_left_by_a_killed_daemon_do_not_block_the_next_fetch_and_push()
    {
        using var remote = new GitRemote();
        var state = remote.Scratch("state");
        using (var first = new GitSource(Options(remote, state)))
        {
            var tip = await first.FetchAsync(CancellationToken.None);
            var commit = first.CreateCommit(tip, new Dictionary<string, string?> { ["status/a.yaml"] = "phase: Pending\n" }, "status: a")!;
            Assert.Equal(PushOutcome.Pushed, await first.PushAsync(commit, remote.Branch, CancellationToken.None));
        }
        // What SIGKILL leaves when it lands between libgit2 taking a ref's or the config's lock and renaming it into place.
        var clone = Path.Combine(state, "repo");
        foreach (var stale in new[] { "refs/remotes/origin/main.lock", "refs/heads/main.lock", "packed-refs.lock", "config.lock" })
            File.WriteAllText(Path.Combine(clone, stale), "");
        var human = remote.HumanCommit("more", new Dictionary<string, string?> { ["restores/b.yaml"] = "b: 1\n" });

        using var git = new GitSource(Options(remote, state));
        Assert.Equal(human, await git.FetchAsync(CancellationToken.None));
        var next = git.CreateCommit(human, new Dictionary<string, string?> { ["status/a.yaml"] = "phase: Running\n" }, "status: a")!;
        Assert.Equal(PushOutcome.Pushed, await git.PushAsync(next, remote.Branch, CancellationToken.None));
        Assert.Equal("phase: Running\n", remote.RemoteGit("show", $"{remote.Branch}:status/a.yaml"));
    }

    [Fact]
    public async Task A_remote_that_accepts_and_never_answers_times_out_and_later_fetches_do_not_pile_up()
    {
        // A server that takes the connection and then says nothing: libgit2 would wait forever.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true) held.Add(await silent.AcceptTcpClientAsync());
            }
            catch (System.Net.Sockets.SocketException) { }
            catch (ObjectDisposedException) { }
        });
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var state = new TempDir("kr-git-silent");
        var git = new GitSource(new ReconcilerOptions
        {
            RepositoryUrl = $"http://127.0.0.1:{port}/config.git",
            Branch = "main",
            StateDirectory = state.Path,
            FetchTimeout = TimeSpan.FromSeconds(2),
        });
        try
        {
            var first = await Assert.ThrowsAsync<GitSourceException>(() => git.FetchAsync(CancellationToken.None));
            Assert.Equal("FetchTimedOut", first.Reason);
            Assert.Contains("did not finish within", first.Message, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{port}", first.Message, StringComparison.Ordinal);
            Assert.NotEmpty(held);

            // The first fetch is still stuck inside libgit2: the next one is refused, not stacked on it.
            var second = await Assert.ThrowsAsync<GitSourceException>(() => git.FetchAsync(CancellationToken.None));
            Assert.Equal("FetchTimedOut", second.Reason);
            Assert.Contains("is still running", second.Message, StringComparison.Ordinal);
        }
        finally
        {
            // Hanging up ends the stuck fetch; only then is the repository safe to dispose.
            silent.Stop();
            foreach (var c in held) c.Dispose();
            await accepting;
            git.Dispose(); // waits for the stuck fetch to see the hang-up
        }
    }
}
