using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>spec.suspend through the built binary (issue #17): plan, reconcile --once and status on a bare remote say Suspended and nothing runs.</summary>
public sealed class SuspendCommandTests : IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    private static string Restore(string name, string specTail) => UnreachableRestore.Yaml(name, specTail);

    [Fact]
    public void A_suspended_restore_and_its_dependent_are_planned_held_and_reported_without_a_start()
    {
        _remote.HumanCommit("add a suspended restore and one depending on it", new Dictionary<string, string?>
        {
            ["restores/first.yaml"] = Restore("first", "  suspend: true\n"),
            ["restores/second.yaml"] = Restore("second", "  dependsOn: [{kind: KafkaRestore, name: first}]\n"),
        });
        var state = _remote.Scratch("state");
        var config = Path.Combine(_remote.Scratch("config"), "settings.json");
        File.WriteAllText(config, UnreachableRestore.Settings);
        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state, "--config", config];

        var plan = Cli(["plan", .. settings]);
        Assert.True(plan.ExitCode == 0, plan.StdOut + plan.StdErr);
        Assert.Contains("Suspended      KafkaRestore team-a/first: spec.suspend is true: not started", plan.StdOut, StringComparison.Ordinal);
        Assert.Contains("AwaitDependency KafkaRestore team-a/second: waits for KafkaRestore team-a/first (spec.dependsOn[0]), which is suspended (spec.suspend is true)",
            plan.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Start ", plan.StdOut, StringComparison.Ordinal);

        // Nothing can start, so a one-shot reconcile returns at once, successfully, without an attempt.
        var once = Cli(["reconcile", "--once", .. settings]);
        Assert.True(once.ExitCode == 0, once.StdOut + once.StdErr);
        var status = Cli(["status", "--state-dir", state]);
        Assert.Matches(@"team-a/first\s+Pending\s.*Suspended", status.StdOut);
        Assert.Matches(@"team-a/second\s+Pending\s.*DependencyNotReady", status.StdOut);
        var file = _remote.RemoteGit("show", $"{_remote.Branch}:status/kafkarestore/team-a/second.yaml");
        Assert.Contains("reason: DependencyNotReady", file, StringComparison.Ordinal);
        Assert.Contains("message: waits for KafkaRestore team-a/first (spec.dependsOn[0]), which is suspended (spec.suspend is true); it starts once that is Completed",
            file, StringComparison.Ordinal);

        // Positive control: unsuspended, the same setup starts the first one (which then fails on the closed port).
        _remote.HumanCommit("unsuspend", new Dictionary<string, string?> { ["restores/first.yaml"] = Restore("first", "  suspend: false\n  job: {backoffLimit: 0}\n") });
        var started = Cli(["plan", .. settings]);
        Assert.Contains("Start          KafkaRestore team-a/first", started.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_f_refuses_a_suspended_file_and_runs_a_dependent_one_by_hand_without_looking_for_its_dependency()
    {
        var dir = _remote.Scratch("files");
        var config = Path.Combine(dir, "settings.json");
        // The policy allows the folder but not the cluster: a run stops at the policy, before connecting to anything.
        File.WriteAllText(config, """{"Policy": {"team-a": {"Folders": ["/var/backups/kafka"]}}}""");
        var suspended = Path.Combine(dir, "suspended.yaml");
        File.WriteAllText(suspended, Restore("held", "  suspend: true\n"));
        var dependent = Path.Combine(dir, "dependent.yaml");
        File.WriteAllText(dependent, Restore("later", "  dependsOn: [{kind: KafkaRestore, name: elsewhere}]\n"));

        var held = Cli("restore", "-f", suspended, "--config", config, "--state-dir", _remote.Scratch("state-held"));
        Assert.Equal(1, held.ExitCode);
        Assert.Contains("team-a/held has spec.suspend: true, which holds it from starting; set spec.suspend: false (or remove it) to run it; nothing was run.",
            held.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("PolicyDenied", held.StdErr, StringComparison.Ordinal);

        // Positive control: the dependent file gets as far as the policy check, its missing dependency only noted.
        var byHand = Cli("restore", "-f", dependent, "--config", config, "--state-dir", _remote.Scratch("state-later"));
        Assert.Equal(1, byHand.ExitCode);
        Assert.Contains("note: spec.dependsOn (KafkaRestore team-a/elsewhere) is honoured by the daemon only", byHand.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("DependencyNotFound", byHand.StdErr, StringComparison.Ordinal);
        Assert.Contains("error: PolicyDenied: namespace team-a may not use cluster 127.0.0.1:1", byHand.StdErr, StringComparison.Ordinal);
    }
}
