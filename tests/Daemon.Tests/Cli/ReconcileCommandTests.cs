using System.Globalization;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
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
        // These settings have no Policy: the daemon says so once, naming the setting to add.
        Assert.Contains("warning: the settings have no Policy, so nothing is allowed", once.StdErr, StringComparison.Ordinal);
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

    [Fact]
    public void Plan_lists_every_policy_denial_at_its_file_and_field_and_connects_to_nothing()
    {
        // A listener nobody answers: the denied reset must not even connect to it.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        _remote.HumanCommit("add a reset aimed at another team's cluster", new Dictionary<string, string?>
        {
            ["offsets/reset.yaml"] = $$"""
                apiVersion: kafka.oso.sh/v1alpha1
                kind: KafkaOffsetReset
                metadata: {name: grab, namespace: team-b}
                spec:
                  kafkaCluster:
                    bootstrapServers: ["127.0.0.1:{{port}}"]
                    securityProtocol: SASL_PLAINTEXT
                    saslSecret: {name: prod-kafka, mechanism: PLAIN}
                  consumerGroups: [payments]
                  topics: [orders]
                  strategy: earliest

                """,
        });
        var state = _remote.Scratch("state");
        var config = Path.Combine(_remote.Scratch("config"), "settings.json");
        File.WriteAllText(config, """{"Policy": {"team-a": {"Secrets": ["prod-kafka"], "Clusters": ["127.0.0.1:PORT"]}}}""".Replace("PORT", $"{port}", StringComparison.Ordinal));
        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state, "--config", config];

        var plan = Cli(["plan", .. settings]);

        Assert.True(plan.ExitCode == 0, plan.StdOut + plan.StdErr);
        Assert.Contains("policy denies: offsets/reset.yaml:6:", plan.StdOut, StringComparison.Ordinal);
        Assert.Contains($"namespace team-b may not use cluster 127.0.0.1:{port}", plan.StdOut, StringComparison.Ordinal);
        Assert.Contains("Policy:team-b:Clusters", plan.StdOut, StringComparison.Ordinal);
        Assert.Contains("namespace team-b may not use secret prod-kafka", plan.StdOut, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(state, "state.db")));
        Assert.False(listener.Pending());
        // Positive control: team-b allowed, the same plan denies nothing.
        File.WriteAllText(config, """{"Policy": {"team-b": {"Secrets": ["prod-kafka"], "Clusters": ["127.0.0.1:PORT"]}}}""".Replace("PORT", $"{port}", StringComparison.Ordinal));
        var allowed = Cli(["plan", .. settings]);
        Assert.True(allowed.ExitCode == 0, allowed.StdOut + allowed.StdErr);
        Assert.DoesNotContain("policy denies", allowed.StdOut, StringComparison.Ordinal);
        Assert.Contains("KafkaOffsetReset team-b/grab", allowed.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public void Forget_removes_one_resource_so_the_next_run_treats_it_as_new()
    {
        _remote.HumanCommit("add two invalid restores", new Dictionary<string, string?>
        {
            ["restores/bad.yaml"] = "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n  name: bad\n  namespace: kafka-backup\nspec:\n  backupId: b\n",
            ["restores/other.yaml"] = "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n  name: other\n  namespace: kafka-backup\nspec:\n  backupId: b\n",
        });
        var state = _remote.Scratch("state");
        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state];
        Assert.Equal(1, Cli(["reconcile", "--once", .. settings]).ExitCode);
        var commitsBefore = _remote.RemoteGit("rev-list", "--count", _remote.Branch).Trim();

        using (StateStore.Open(state))
        {
            var locked = Cli(["forget", "bad", "--state-dir", state]);
            Assert.Equal(2, locked.ExitCode);
            Assert.Contains("in use by another kafka-restored process", locked.StdErr);
        }
        var unknown = Cli(["forget", "nope", "--state-dir", state]);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("no resource named 'nope'", unknown.StdErr);
        var badKind = Cli(["forget", "bad", "--kind", "KafkaMirror", "--state-dir", state]);
        Assert.Equal(2, badKind.ExitCode);
        Assert.Contains("--kind 'KafkaMirror'", badKind.StdErr);

        var forget = Cli(["forget", "kafka-backup/bad", "--kind", "KafkaRestore", "--state-dir", state]);
        Assert.Equal(0, forget.ExitCode);
        Assert.Contains("Forgot KafkaRestore kafka-backup/bad (was Failed)", forget.StdOut);
        Assert.Equal(1, Cli(["status", "bad", "--state-dir", state]).ExitCode);
        Assert.Matches(@"kafka-backup/other\s+Failed", Cli(["status", "--state-dir", state]).StdOut);

        // A fresh start plans the forgotten resource as new; the other one is unchanged.
        Assert.Equal(1, Cli(["reconcile", "--once", .. settings]).ExitCode);
        Assert.Equal("kafka-backup/bad: Failed (InvalidSpec)", _remote.RemoteGit("log", "-1", "--format=%s", _remote.Branch).Trim());
        Assert.Equal(int.Parse(commitsBefore, CultureInfo.InvariantCulture) + 1,
            int.Parse(_remote.RemoteGit("rev-list", "--count", _remote.Branch).Trim(), CultureInfo.InvariantCulture));
        Assert.Matches(@"kafka-backup/bad\s+Failed", Cli(["status", "bad", "--state-dir", state]).StdOut);
    }

    [Fact]
    public void Status_of_a_resource_waiting_for_a_retry_names_the_failed_attempt_the_next_one_and_when_it_failed()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r");
        var pending = new ResourceRecord
        {
            Id = id,
            SpecHash = "h",
            CreatedAt = t0,
            PhaseChangedAt = t0,
            Status = ResourceStatus.Empty(ResourceKinds.KafkaRestore) with { Phase = ResourcePhase.Pending, ObservedGeneration = 1 },
        };
        var running = RecordTransitions.StartAttempt(pending, PlanActionKind.Start, t0);
        var failed = new RunCompletion(id, 1, RunOutcome.Failed(FailureReason.ClusterUnreachable, "no broker answered"), null, false, false, false);
        var waiting = RecordTransitions.Complete(running, failed, t0.AddSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(6))!;
        var state = _remote.Scratch("state");
        using (var store = StateStore.Open(state)) store.Save(waiting);

        var status = Cli(["status", "--state-dir", state]);

        Assert.Equal(0, status.ExitCode);
        Assert.Matches(@"kafka-backup/r\s+Running\s+attempt 1 of 4 failed; attempt 2 at 2026-01-01 12:00:15Z\s+2026-01-01 12:00:05Z\s+AttemptFailed", status.StdOut);
    }
}
