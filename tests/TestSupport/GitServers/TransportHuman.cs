namespace KafkaRestored.TestSupport.GitServers;

/// <summary>A person with their own clone who commits and pushes over a server's transport (HTTPS or SSH), not the local path.</summary>
public sealed class TransportHuman
{
    private readonly string _clone;
    private readonly string _branch;
    private readonly IDictionary<string, string?> _environment;

    /// <summary>Clones <paramref name="url"/> into <paramref name="clone"/> with <paramref name="environment"/> (CA, ssh command).</summary>
    public TransportHuman(string url, string clone, string branch, IDictionary<string, string?> environment)
    {
        _clone = clone;
        _branch = branch;
        _environment = new Dictionary<string, string?>(environment)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_AUTHOR_NAME"] = "Pat Human",
            ["GIT_AUTHOR_EMAIL"] = "pat@example.com",
            ["GIT_COMMITTER_NAME"] = "Pat Human",
            ["GIT_COMMITTER_EMAIL"] = "pat@example.com",
        };
        Git(Path.GetDirectoryName(clone)!, "clone", "-q", "-b", branch, url, clone);
    }

    /// <summary>Writes files, commits and pushes; on a refused push (the bot pushed first) rebases and pushes again. Returns the pushed commit.</summary>
    public string Commit(string message, IReadOnlyDictionary<string, string?> files)
    {
        Git(_clone, "pull", "-q", "--rebase", "origin", _branch);
        foreach (var (rel, content) in files)
        {
            var full = Path.Combine(_clone, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        Git(_clone, "add", "-A");
        Git(_clone, "commit", "-q", "-m", message);
        for (var attempt = 1; ; attempt++)
        {
            var push = ProcessRunner.Run("git", ["push", "-q", "origin", _branch], _clone, _environment, timeout: TimeSpan.FromMinutes(1));
            if (push.ExitCode == 0) return Git(_clone, "rev-parse", "HEAD").Trim();
            if (attempt == 10) push.EnsureSuccess("git push (10 attempts)");
            Git(_clone, "pull", "-q", "--rebase", "origin", _branch);
        }
    }

    /// <summary>Runs git over the transport and returns the result without throwing.</summary>
    public ProcessResult TryGit(params string[] args) => ProcessRunner.Run("git", args, _clone, _environment, timeout: TimeSpan.FromMinutes(1));

    private string Git(string dir, params string[] args) =>
        ProcessRunner.Run("git", args, dir, _environment, timeout: TimeSpan.FromMinutes(1)).EnsureSuccess("git " + string.Join(' ', args)).StdOut;
}
