using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>Sync windows through the built binary (issue #17): `plan` shows what the daemon would hold, read from the same settings.</summary>
public sealed class SyncWindowCommandTests : IDisposable
{
    private readonly GitRemote _remote = new();

    public void Dispose() => _remote.Dispose();

    private static string Restore(string ns) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata: {"{"}name: r, namespace: {ns}{"}"}
        spec:
          backupId: b-1
          targetCluster: {"{"}bootstrapServers: ["127.0.0.1:1"]{"}"}
          storage: {"{"}storageType: filesystem, filesystem: {"{"}path: /var/backups/kafka{"}"}{"}"}
        """;

    [Fact]
    public void Plan_holds_a_namespace_a_deny_window_closes_and_starts_the_others()
    {
        _remote.HumanCommit("add two restores", new Dictionary<string, string?>
        {
            ["restores/a.yaml"] = Restore("team-a"),
            ["restores/b.yaml"] = Restore("team-b"),
        });
        var config = Path.Combine(_remote.Scratch("config"), "settings.json");
        // Opens every minute for two: always active, whatever the clock says when the test runs.
        File.WriteAllText(config, """
            {"Policy": {"*": {"Clusters": ["127.0.0.1:1"], "Folders": ["/var/backups/kafka"]}},
             "SyncWindows": [{"Kind": "deny", "Schedule": "* * * * *", "Duration": "00:02:00", "Namespaces": ["team-a"]}]}
            """);
        var apphost = Path.Combine(Path.GetDirectoryName(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"))!, "kafka-restored");

        var plan = ProcessRunner.Run(apphost, ["plan", "--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", _remote.Scratch("state"), "--config", config],
            timeout: TimeSpan.FromMinutes(2));

        Assert.True(plan.ExitCode == 0, plan.StdOut + plan.StdErr);
        Assert.Contains("AwaitWindow    KafkaRestore team-a/r: the host's sync windows refuse starting now: deny window SyncWindows:0 (\"* * * * *\" for 00:02:00) is active",
            plan.StdOut, StringComparison.Ordinal);
        Assert.Contains("Start          KafkaRestore team-b/r:", plan.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("Start          KafkaRestore team-a/r", plan.StdOut, StringComparison.Ordinal);
    }
}
