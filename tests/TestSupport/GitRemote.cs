using LibGit2Sharp;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A bare repository on disk acting as the config repo's remote, plus a working clone that plays
/// the human who commits and pushes. Assertions go through the git CLI, as a person would look.
/// </summary>
public sealed class GitRemote : IDisposable
{
    private readonly TempDir _dir = new("kr-git");

    /// <summary>Creates the bare remote with one initial commit on <paramref name="branch"/>.</summary>
    public GitRemote(string branch = "main")
    {
        Branch = branch;
        BarePath = _dir.Combine("remote.git");
        Repository.Init(BarePath, isBare: true);
        // An empty repo's HEAD names master; point it at the branch the tests use.
        Git(BarePath, "symbolic-ref", "HEAD", "refs/heads/" + branch);
        // Keep a reflog on the bare remote so tests can prove no force push happened.
        Git(BarePath, "config", "core.logAllRefUpdates", "always");
        HumanPath = _dir.Combine("human");
        Git(_dir.Path, "clone", "-q", BarePath, HumanPath);
        Git(HumanPath, "checkout", "-q", "-B", branch);
        Git(HumanPath, "config", "user.name", "Pat Human");
        Git(HumanPath, "config", "user.email", "pat@example.com");
        File.WriteAllText(Path.Combine(HumanPath, "README.md"), "config repo\n");
        Git(HumanPath, "add", "-A");
        Git(HumanPath, "commit", "-q", "-m", "initial commit");
        Git(HumanPath, "push", "-q", "origin", branch);
    }

    /// <summary>Branch the tests use.</summary>
    public string Branch { get; }

    /// <summary>Path of the bare remote (usable as a clone URL).</summary>
    public string BarePath { get; }

    /// <summary>The human's working clone.</summary>
    public string HumanPath { get; }

    /// <summary>A scratch folder beside the repos for the test's own use.</summary>
    public string Scratch(string name)
    {
        var p = _dir.Combine(name);
        Directory.CreateDirectory(p);
        return p;
    }

    /// <summary>Writes files in the human clone, commits them and pushes (pulling first with rebase).</summary>
    public string HumanCommit(string message, IReadOnlyDictionary<string, string?> files)
    {
        Git(HumanPath, "pull", "-q", "--rebase", "origin", Branch);
        foreach (var (rel, content) in files)
        {
            var full = Path.Combine(HumanPath, rel);
            if (content is null)
            {
                if (File.Exists(full)) File.Delete(full);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        Git(HumanPath, "add", "-A");
        Git(HumanPath, "commit", "-q", "-m", message);
        Git(HumanPath, "push", "-q", "origin", Branch);
        return Git(HumanPath, "rev-parse", "HEAD").Trim();
    }

    /// <summary>Runs git in the bare remote (log, show, reflog...) and returns stdout.</summary>
    public string RemoteGit(params string[] args) => Git(BarePath, args);

    /// <summary>
    /// Reads the bare repository's reflog of <paramref name="refName"/> (e.g. <c>refs/kafka-restored/lease</c>) and checks that
    /// every update starts where the previous one ended and moves the ref forward (no force push); returns the value the
    /// last update left and how many updates there were. Throws, naming the update, when one is not a fast-forward.
    /// </summary>
    public (string Tip, int Updates) FastForwardOnlyUpdates(string refName)
    {
        var reflog = File.ReadAllLines(Path.Combine(new[] { BarePath, "logs" }.Concat(refName.Split('/')).ToArray()));
        var previous = "";
        foreach (var entry in reflog)
        {
            var parts = entry.Split(' ');
            var (from, to) = (parts[0], parts[1]);
            if (previous.Length > 0 && previous != from)
                throw new InvalidOperationException($"{refName} was moved outside its reflog before this update: {entry}");
            if (from.Trim('0').Length > 0 && ProcessRunner.Run("git", ["merge-base", "--is-ancestor", from, to], BarePath).ExitCode != 0)
                throw new InvalidOperationException($"non-fast-forward update of {refName}: {entry}");
            previous = to;
        }
        return (previous, reflog.Length);
    }

    /// <summary>Runs the git CLI in a folder and returns stdout; throws with stderr on failure.</summary>
    public static string Git(string workingDirectory, params string[] args) =>
        ProcessRunner.Run("git", args, workingDirectory, new Dictionary<string, string?>
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GIT_AUTHOR_NAME"] = "Pat Human",
            ["GIT_AUTHOR_EMAIL"] = "pat@example.com",
            ["GIT_COMMITTER_NAME"] = "Pat Human",
            ["GIT_COMMITTER_EMAIL"] = "pat@example.com",
        }).EnsureSuccess("git " + string.Join(' ', args)).StdOut;

    /// <inheritdoc />
    public void Dispose() => _dir.Dispose();
}
