using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Runs the built binary: reconcile --once, status and plan on a bare remote.</summary>
public sealed class ReconcileCommandTests : IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void Reconcile_once_commits_status_and_status_and_plan_read_without_side_effects()
    {
        _remote.HumanCommit("add an invalid restore", new Dictionary<string, string?>
        {
            ["restores/bad.yaml"] = "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n  name: bad\n  namespace: kafka-backup\nspec:\n  backupId: b\n",
        });
        var state = _remote.Scratch("state");
        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state];

        var plan = Cli(["plan", .. settings]);
        Assert.Equal(0, plan.ExitCode);
        Assert.Contains("MarkInvalid", plan.StdOut);
        Assert.False(File.Exists(Path.Combine(state, "state.db")));

        var once = Cli(["reconcile", "--once", .. settings]);
        Assert.Equal(1, once.ExitCode);
        Assert.Contains("KafkaRestore kafka-backup/bad: Failed", once.StdOut);
        Assert.Equal("kafka-backup/bad: Failed (new, InvalidSpec)", _remote.RemoteGit("log", "-1", "--format=%s", _remote.Branch).Trim());

        var status = Cli(["status", "bad", "--state-dir", state]);
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"KafkaRestore\s+kafka-backup/bad\s+Failed\s+-\s+\S+ \S+\s+InvalidSpec", status.StdOut);

        var again = Cli(["reconcile", "--once", .. settings]);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(2, _remote.RemoteGit("log", "--format=%s", _remote.Branch).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);

        var bad = Cli(["reconcile", "--once", "--state-dir", state]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--repo", bad.StdErr);
    }
}
