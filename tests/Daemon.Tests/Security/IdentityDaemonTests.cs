using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// Issue 19, finding 3, through the built binary: a committer adds `kind: KafkaRestorE` with the name of a
/// completed restore; each `reconcile --once` is a new daemon process on the same state directory.
/// </summary>
public sealed class IdentityDaemonTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 2;
    private const int RecordsPerPartition = 40;
    private const string StatusFile = "status/kafkarestore/kafka-backup/r1.yaml";
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static ProcessResult Cli(params string[] args)
    {
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");
        // The policy is not this test's subject: allow all, as a daemon without one executes nothing.
        return ProcessRunner.Run(apphost, args, environment: TestPolicy.WithAllowAll(), timeout: TimeSpan.FromMinutes(2));
    }

    private string StatusHistory() => _remote.RemoteGit("log", "--format=%H %s", _remote.Branch, "--", StatusFile);

    [Fact]
    public async Task A_case_variant_kind_leaves_a_completed_restore_its_record_status_history_and_records_across_two_daemon_restarts()
    {
        var orders = await OrdersBackup.WriteAsync(_remote.Scratch("backups"), Partitions, RecordsPerPartition);
        var target = kafka.Broker.CreateUniqueTopic("identity-orders", Partitions);
        var yaml = orders.RestoreYaml("r1", target, kafka.Broker.BootstrapServers);
        var state = _remote.Scratch("state");
        string[] settings = ["--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state];
        _remote.HumanCommit("add restore", new Dictionary<string, string?> { ["restores/r1.yaml"] = yaml });

        var first = Cli(["reconcile", "--once", .. settings]);
        Assert.True(first.ExitCode == 0, first.StdOut + first.StdErr);
        // Positive control: the restore wrote its records and has a status history to keep.
        Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, target, Partitions).Count);
        var history = StatusHistory();
        Assert.Contains("Running -> Completed", history, StringComparison.Ordinal);
        var statusText = _remote.RemoteGit("show", $"{_remote.Branch}:{StatusFile}");
        var record = Cli("status", "r1", "--state-dir", state).StdOut;
        Assert.Contains("Completed", record, StringComparison.Ordinal);

        _remote.HumanCommit("same name, kind with a wrong case", new Dictionary<string, string?>
        {
            ["restores/r1-typo.yaml"] = yaml.Replace("kind: KafkaRestore", "kind: KafkaRestorE", StringComparison.Ordinal),
        });
        for (var restart = 1; restart <= 2; restart++)
        {
            var run = Cli(["reconcile", "--once", .. settings]);

            Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
            Assert.Contains("restores/r1-typo.yaml:2:7: error: UnknownKind", run.StdOut + run.StdErr, StringComparison.Ordinal);
            Assert.Contains("did you mean \"KafkaRestore\"? (kinds are case-sensitive)", run.StdOut + run.StdErr, StringComparison.Ordinal);
            Assert.Equal(history, StatusHistory());
            Assert.Equal(statusText, _remote.RemoteGit("show", $"{_remote.Branch}:{StatusFile}"));
            Assert.Equal([StatusFile], _remote.RemoteGit("ls-tree", "-r", "--name-only", _remote.Branch, "status/").Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(record, Cli("status", "r1", "--state-dir", state).StdOut);
            Assert.Equal(Partitions * RecordsPerPartition, RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, target, Partitions).Count);
        }
    }
}
