using KafkaRestored.TestSupport;
using KafkaRestored.TestSupport.GitServers;

namespace KafkaRestored.Daemon.Tests.Git;

/// <summary>
/// The real daemon (`kafka-restored run`, a child process) against real Git servers on loopback:
/// smart HTTP over TLS (lighttpd + git http-backend, a token as the basic-auth password, a test
/// CA trusted through SSL_CERT_FILE) and SSH (sshd, the bot's key). Each accepted push is read
/// from the server's post-receive log with the user the server authenticated, so a push that
/// took the local-path shortcut (logged as "local") fails the test.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NetworkGitDaemonTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    private const string Namespace = "kafka-backup";
    private const int Records = 30;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [GitServerFact]
    public async Task Over_https_the_daemon_clones_restores_pushes_status_beside_a_racing_human_and_reports_a_protected_branch()
    {
        using var remote = new GitRemote();
        using var server = new GitHttpsServer(remote);
        using var dir = new TempDir("kr-https-daemon");
        var settings = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_GitTokenFile"] = server.WriteTokenFile(dir.Path),
            ["SSL_CERT_FILE"] = server.CaPath,
        };
        var output = await RunScenarioAsync(remote, server.Url, settings, server.Human, server.Hooks, GitHttpsServer.BotUser, dir);
        Assert.DoesNotContain(server.Token, output, StringComparison.Ordinal);
        // The bot's pushes reached the server's receive-pack over HTTP.
        Assert.Contains("POST /git/remote.git/git-receive-pack", server.AccessLog, StringComparison.Ordinal);
    }

    [GitServerFact]
    public async Task Over_ssh_the_daemon_clones_restores_pushes_status_beside_a_racing_human_and_reports_a_protected_branch()
    {
        using var remote = new GitRemote();
        using var server = new GitSshServer(remote);
        using var dir = new TempDir("kr-ssh-daemon");
        var settings = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_GitSshKeyFile"] = server.BotKeyPath,
            ["KAFKA_RESTORED_GitSshKnownHostsFile"] = server.KnownHostsPath,
        };
        var output = await RunScenarioAsync(remote, server.Url, settings, server.Human, server.Hooks, "bot", dir);
        Assert.DoesNotContain(File.ReadAllLines(server.BotKeyPath)[1], output, StringComparison.Ordinal);
        Assert.Contains("forced-command (key-option) 'env REMOTE_USER=bot", await server.ServerLogWithAsync("forced-command (key-option) 'env REMOTE_USER=bot"), StringComparison.Ordinal);
    }

    [GitServerFact]
    public async Task Over_https_a_wrong_token_fails_every_fetch_with_a_clear_reason_that_never_shows_the_token()
    {
        using var remote = new GitRemote();
        using var server = new GitHttpsServer(remote);
        using var dir = new TempDir("kr-https-wrong");
        var wrong = "ghp_wrong" + Guid.NewGuid().ToString("N");
        var environment = TestPolicy.WithAllowAll(new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_GitTokenFile"] = server.WriteTokenFile(dir.Path, wrong),
            ["SSL_CERT_FILE"] = server.CaPath,
        });
        using var daemon = new DaemonProcess(["run", "--repo", server.Url, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", "off"], environment);
        var line = await daemon.WaitForAsync("a failed fetch", () => Task.FromResult(
            daemon.Output.Split('\n').FirstOrDefault(l => l.Contains("Fetch failed", StringComparison.Ordinal))), Patience);
        Assert.Contains($"with {server.Url} failed", line, StringComparison.Ordinal);
        Assert.Contains("authentication", line, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(" 401 ", server.AccessLog, StringComparison.Ordinal);
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain(wrong, daemon.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong[4..], daemon.Output, StringComparison.Ordinal);
        Assert.Empty(server.Hooks.AcceptedPushes());
    }

    [GitServerFact]
    public async Task Over_ssh_a_key_the_host_does_not_accept_fails_every_fetch_with_a_clear_reason()
    {
        using var remote = new GitRemote();
        using var server = new GitSshServer(remote);
        using var dir = new TempDir("kr-ssh-wrong");
        var environment = TestPolicy.WithAllowAll(new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_GitSshKeyFile"] = server.StrangerKeyPath,
            ["KAFKA_RESTORED_GitSshKnownHostsFile"] = server.KnownHostsPath,
        });
        using var daemon = new DaemonProcess(["run", "--repo", server.Url, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", "off"], environment);
        var line = await daemon.WaitForAsync("a failed fetch", () => Task.FromResult(
            daemon.Output.Split('\n').FirstOrDefault(l => l.Contains("Fetch failed", StringComparison.Ordinal))), Patience);
        Assert.Contains("failed", line, StringComparison.Ordinal);
        Assert.Contains("Failed publickey", await server.ServerLogWithAsync("Failed publickey"), StringComparison.Ordinal);
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
        Assert.DoesNotContain(File.ReadAllLines(server.StrangerKeyPath)[1], daemon.Output, StringComparison.Ordinal);
        Assert.Empty(server.Hooks.AcceptedPushes());
    }

    /// <summary>
    /// The daemon on <paramref name="url"/>: a restore the human pushed over the transport completes
    /// and its status is pushed while the human keeps pushing; every human commit survives; then the
    /// branch refuses the bot and the daemon logs the host's reason. Returns the daemon's output.
    /// </summary>
    private async Task<string> RunScenarioAsync(GitRemote remote, string url, Dictionary<string, string?> gitSettings, TransportHuman human,
        ServerHooks hooks, string botUser, TempDir dir)
    {
        var orders = await OrdersBackup.WriteAsync(dir.Combine("backups"), 1, Records, (_, i) => $"value-{i}");
        var target = kafka.Broker.CreateUniqueTopic("net-git", 1);
        var humanCommits = new List<string>
        {
            human.Commit("add a restore", new Dictionary<string, string?> { ["restores/r1.yaml"] = orders.RestoreYaml("r1", target, kafka.Broker.BootstrapServers, ns: Namespace) }),
        };
        var environment = TestPolicy.WithAllowAll(new Dictionary<string, string?>(gitSettings)
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_PushRetryDelay"] = "00:00:00.200",
        });
        using var daemon = new DaemonProcess(["run", "--repo", url, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", "off"], environment);

        // The human keeps pushing over the same transport while the daemon pushes Running, then Completed.
        var racing = Task.Run(() =>
        {
            for (var i = 0; i < 8; i++)
            {
                lock (humanCommits) humanCommits.Add(human.Commit($"note {i}", new Dictionary<string, string?> { [$"notes/n{i}.md"] = $"note {i}\n" }));
                Thread.Sleep(150);
            }
        });
        var status = $"status/kafkarestore/{Namespace}/r1.yaml";
        await daemon.WaitForAsync("the restore's Completed status on the server", () =>
        {
            var show = ProcessRunner.Run("git", ["show", $"{remote.Branch}:{status}"], remote.BarePath);
            return Task.FromResult(show.ExitCode == 0 && show.StdOut.Contains("phase: Completed", StringComparison.Ordinal) ? show.StdOut : null);
        }, Patience);
        await racing.WaitAsync(Patience);
        Assert.Equal(Records, Kcat.ReadTopic(kafka.Broker.BootstrapServers, target).Count);

        var tip = remote.RemoteGit("rev-parse", remote.Branch).Trim();
        foreach (var commit in humanCommits)
            Assert.Equal(0, ProcessRunner.Run("git", ["merge-base", "--is-ancestor", commit, tip], remote.BarePath).ExitCode);
        var pushes = hooks.AcceptedPushes();
        Assert.Contains(pushes, p => p.User == botUser);
        Assert.All(pushes, p => Assert.Contains(p.User, new[] { botUser, "pat" }));
        Assert.Equal(humanCommits.Count, pushes.Count(p => p.User == "pat"));

        // A protected branch: the host refuses the bot, the daemon says so with the host's reason.
        hooks.Reject(botUser, "main is protected: status must go through a pull request");
        var target2 = kafka.Broker.CreateUniqueTopic("net-git-protected", 1);
        human.Commit("add a second restore", new Dictionary<string, string?> { ["restores/r2.yaml"] = orders.RestoreYaml("r2", target2, kafka.Broker.BootstrapServers, ns: Namespace) });
        var refused = await daemon.WaitForAsync("the refused status push in the log", () => Task.FromResult(
            daemon.Output.Split('\n').FirstOrDefault(l => l.Contains("was refused", StringComparison.Ordinal) && l.Contains("pre-receive hook declined", StringComparison.Ordinal))), Patience);
        Assert.Contains(remote.Branch, refused, StringComparison.Ordinal);
        Assert.NotEqual(0, ProcessRunner.Run("git", ["show", $"{remote.Branch}:status/kafkarestore/{Namespace}/r2.yaml"], remote.BarePath).ExitCode);

        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
        return daemon.Output;
    }
}
