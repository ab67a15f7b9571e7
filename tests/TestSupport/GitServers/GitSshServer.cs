namespace KafkaRestored.TestSupport.GitServers;

/// <summary>
/// Git over SSH on loopback: OpenSSH's sshd (not daemonizing, a child of the test) on a free high
/// port with a host key made for the test, serving a <see cref="GitRemote"/>'s bare repository through
/// git-shell. Each authorized key carries a forced command that names its user in REMOTE_USER, as a
/// Git host knows which account a key belongs to.
/// </summary>
public sealed class GitSshServer : IDisposable
{
    private readonly TempDir _dir = new("kr-git-ssh");
    private readonly ServerProcess _server;

    /// <summary>Why this server cannot run here, or null when sshd, ssh, ssh-keygen and git-shell are installed.</summary>
    public static string? MissingTools { get; } =
        ServerProcess.Find("sshd") is null ? "sshd is not installed (Debian: apt-get install openssh-server; .ci/run installs it)"
        : ServerProcess.Find("ssh") is null || ServerProcess.Find("ssh-keygen") is null ? "ssh is not installed (Debian: apt-get install openssh-client)"
        : ServerProcess.Find("git-shell") is null ? "git-shell is not installed (Debian: apt-get install git)"
        : null;

    /// <summary>Serves <paramref name="remote"/>'s bare repository to the bot's and the human's keys.</summary>
    public GitSshServer(GitRemote remote)
    {
        if (MissingTools is { } missing) throw new InvalidOperationException(missing);
        foreach (var key in new[] { "host", "bot", "human", "stranger" })
            ProcessRunner.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", _dir.Combine(key)], _dir.Path).EnsureSuccess("ssh-keygen");
        Hooks = new ServerHooks(remote.BarePath, _dir.Path);
        var authorized = _dir.Combine("authorized_keys");
        File.WriteAllLines(authorized, [AuthorizedKey("bot"), AuthorizedKey("pat", "human")]);
        Port = ServerProcess.FreePort();
        KnownHostsPath = _dir.Combine("known_hosts");
        File.WriteAllText(KnownHostsPath, $"[127.0.0.1]:{Port} {string.Join(' ', File.ReadAllText(_dir.Combine("host.pub")).Split(' ').Take(2))}\n");
        var config = _dir.Combine("sshd_config");
        File.WriteAllText(config, $"""
            Port {Port}
            ListenAddress 127.0.0.1
            HostKey {_dir.Combine("host")}
            AuthorizedKeysFile {authorized}
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            PidFile none
            LogLevel VERBOSE
            """);
        // Run as root, sshd needs its privilege-separation folder (the package's service creates it at boot).
        if (Environment.UserName == "root") Directory.CreateDirectory("/run/sshd");
        _server = new ServerProcess(ServerProcess.Find("sshd")!, ["-D", "-e", "-f", config], Port);
        Url = $"ssh://{Environment.UserName}@127.0.0.1:{Port}{remote.BarePath}";
        Human = new TransportHuman(Url, _dir.Combine("human-clone"), remote.Branch,
            new Dictionary<string, string?> { ["GIT_SSH_COMMAND"] = $"ssh -i {_dir.Combine("human")} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile={KnownHostsPath} -o StrictHostKeyChecking=yes" });
    }

    /// <summary>Clone URL (ssh://user@127.0.0.1:port/path).</summary>
    public string Url { get; }

    /// <summary>Listening port.</summary>
    public int Port { get; }

    /// <summary>The bot's private key (authorized, user "bot").</summary>
    public string BotKeyPath => _dir.Combine("bot");

    /// <summary>A private key the server does not know.</summary>
    public string StrangerKeyPath => _dir.Combine("stranger");

    /// <summary>known_hosts naming the server's host key at 127.0.0.1:port.</summary>
    public string KnownHostsPath { get; }

    /// <summary>The repository's hooks: accepted pushes per user, branch protection.</summary>
    public ServerHooks Hooks { get; }

    /// <summary>A person pushing over SSH with their own key (user "pat").</summary>
    public TransportHuman Human { get; }

    /// <summary>sshd's log (connections, accepted and failed keys).</summary>
    public string ServerLog => _server.Output;

    /// <summary>
    /// The server's log once it holds <paramref name="text"/> (or after 10 s): sshd's log reaches the test through a pipe read
    /// on another thread, so a client can see a refusal before the line that logs it has arrived.
    /// </summary>
    public async Task<string> ServerLogWithAsync(string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!ServerLog.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline) await Task.Delay(50);
        return ServerLog;
    }

    private string AuthorizedKey(string user, string? keyName = null) =>
        $"command=\"env REMOTE_USER={user} git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\",no-port-forwarding,no-pty,no-agent-forwarding "
        + File.ReadAllText(_dir.Combine((keyName ?? user) + ".pub")).Trim();

    /// <inheritdoc />
    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }
}
