using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>kafka-restored drill -f and plan through the built binary (issue #24): exit 0 only for a passed drill, the policy before any I/O.</summary>
public sealed class DrillCommandTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 2;
    private const int PerPartition = 30;
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        return ProcessRunner.Run(apphost, args, timeout: TimeSpan.FromMinutes(2));
    }

    private (string File, string Config, string Scratch) Setup(string objectives, string clusters = "127.0.0.1:*")
    {
        var dir = _remote.Scratch("drill-" + Guid.NewGuid().ToString("N")[..8]);
        var orders = new OrdersBackup(Path.Combine(dir, "backups"), Partitions, PerPartition);
        var prefix = "drill-" + Guid.NewGuid().ToString("N")[..8] + "-";
        kafka.Broker.CreateTopic(prefix + "orders", Partitions);
        var file = Path.Combine(dir, "drill.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestoreDrill
            metadata: {"{"}name: weekly, namespace: team-a{"}"}
            spec:
              schedule: "0 3 * * 0"
              backupId: backup-1
              storage: {"{"}storageType: filesystem, filesystem: {"{"}path: {orders.Directory}{"}"}{"}"}
              targetCluster:
                bootstrapServers: [{kafka.Broker.BootstrapServers.Replace(",", ", ", StringComparison.Ordinal)}]
              topicPrefix: {prefix}
              topics: [orders]
              objectives: {objectives}

            """);
        var config = Path.Combine(dir, "settings.json");
        File.WriteAllText(config, "{\"Policy\": {\"team-a\": {\"Clusters\": [\"" + clusters + "\"], \"Folders\": [\"" + dir + "\"]}}}");
        return (file, config, prefix + "orders");
    }

    private string[] StateArgs() => ["--state-dir", _remote.Scratch("state-" + Guid.NewGuid().ToString("N")[..8])];

    [Fact]
    public void A_passing_drill_exits_0_and_prints_its_report()
    {
        var (file, config, scratch) = Setup("{rto: 1h, rpo: 3650d}");

        var run = Cli(["drill", "-f", file, "--config", config, .. StateArgs()]);

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("kind: KafkaRestoreDrill", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("phase: Completed", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("result: Passed", run.StdOut, StringComparison.Ordinal);
        Assert.Contains($"recordsVerified: {Partitions * PerPartition}", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("rtoMet: true", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("rpoMet: true", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("cleanup: nothing to delete", run.StdErr, StringComparison.Ordinal);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, scratch, Partitions), end => Assert.Equal(PerPartition, end));
    }

    [Fact]
    public void A_drill_missing_its_objective_exits_1_with_the_reason()
    {
        // The backup's records are from 2023: a one-day rpo is missed.
        var (file, config, _) = Setup("{rpo: 1d}");

        var run = Cli(["drill", "-f", file, "--config", config, .. StateArgs()]);

        Assert.True(run.ExitCode == 1, run.StdOut + run.StdErr);
        Assert.Contains("phase: Failed", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: RpoMissed", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("kafka-restored drill: RpoMissed: ", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("older than objectives.rpo 1d", run.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_drill_the_policy_denies_exits_1_before_anything_is_read_or_written_and_a_missing_file_exits_2()
    {
        var (file, config, scratch) = Setup("{rto: 1h}", clusters: "dr-kafka-*:9092");

        var denied = Cli(["drill", "-f", file, "--config", config, .. StateArgs()]);

        Assert.True(denied.ExitCode == 1, denied.StdOut + denied.StdErr);
        Assert.Contains("PolicyDenied", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("namespace team-a may not use cluster 127.0.0.1:", denied.StdErr, StringComparison.Ordinal);
        Assert.Equal("", denied.StdOut);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, scratch, Partitions), end => Assert.Equal(0, end));

        Assert.Equal(2, Cli(["drill", "-f", file + ".missing", .. StateArgs()]).ExitCode);
    }

    [Fact]
    public void A_drill_naming_a_KafkaBackup_exits_1_saying_to_name_backupId_and_storage_and_writes_nothing()
    {
        var (file, config, scratch) = Setup("{rto: 1h}");
        var text = File.ReadAllText(file);
        var byRef = string.Join('\n', text.Split('\n').Where(l => !l.Contains("storage:", StringComparison.Ordinal))).Replace("backupId: backup-1", "backupRef: {name: nightly}", StringComparison.Ordinal);
        File.WriteAllText(file, byRef);

        var run = Cli(["drill", "-f", file, "--config", config, .. StateArgs()]);

        Assert.True(run.ExitCode == 1, run.StdOut + run.StdErr);
        Assert.Contains("team-a/weekly names its backup by spec.backupRef (KafkaBackup team-a/nightly), which only the daemon resolves", run.StdErr, StringComparison.Ordinal);
        Assert.Contains("replace spec.backupRef with spec.backupId and spec.storage", run.StdErr, StringComparison.Ordinal);
        Assert.Equal("", run.StdOut);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, scratch, Partitions), end => Assert.Equal(0, end));

        // Positive control: the same file naming the backup by id runs (and writes the scratch topic).
        File.WriteAllText(file, text);
        Assert.Equal(0, Cli(["drill", "-f", file, "--config", config, .. StateArgs()]).ExitCode);
        Assert.All(RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, scratch, Partitions), end => Assert.Equal(PerPartition, end));
    }

    [Fact]
    public void Plan_and_validate_know_the_drill_kind()
    {
        var (file, config, _) = Setup("{rto: 30m}");
        _remote.HumanCommit("add a drill", new Dictionary<string, string?> { ["drills/weekly.yaml"] = File.ReadAllText(file) });

        var validate = Cli("validate", file);
        Assert.True(validate.ExitCode == 0, validate.StdOut + validate.StdErr);

        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--config", config, .. StateArgs()];
        var plan = Cli(["plan", .. settings]);
        Assert.True(plan.ExitCode == 0, plan.StdOut + plan.StdErr);
        Assert.Contains("AwaitSchedule  KafkaRestoreDrill team-a/weekly: schedule \"0 3 * * 0\": first run at ", plan.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Start ", plan.StdOut, StringComparison.Ordinal);

        // A drill waiting for its time does not keep a one-shot reconcile waiting; status and the status file say why it has not run.
        var once = Cli(["reconcile", "--once", .. settings]);
        Assert.True(once.ExitCode == 0, once.StdOut + once.StdErr);
        Assert.Matches(@"KafkaRestoreDrill\s+team-a/weekly\s+Pending\s.*AwaitingSchedule", Cli(["status", settings[^2], settings[^1]]).StdOut);
        var statusFile = _remote.RemoteGit("show", $"{_remote.Branch}:status/kafkarestoredrill/team-a/weekly.yaml");
        Assert.Contains("reason: AwaitingSchedule", statusFile, StringComparison.Ordinal);
    }
}
