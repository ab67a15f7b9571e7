using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Demo;

/// <summary>The README's first command: the whole loop on embedded defaults, checked as a person would with git.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_restores_every_example_and_commits_the_status_history()
    {
        using var dir = new TempDir();
        var demoDir = dir.Combine("demo");

        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "demo", "--dir", demoDir, "--records", "500"],
            timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("Running -> Completed", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("x-original-offset=0", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("sample of restored records in 'full-restore.orders'", result.StdOut, StringComparison.Ordinal);
        var remote = Path.Combine(demoDir, "config.git");
        var files = GitRemote.Git(remote, "ls-tree", "-r", "--name-only", "main").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in new[] { "simple-restore", "pitr-restore", "full-restore", "dev-restore", "dr-restore" })
            Assert.Contains($"status/kafkarestore/default/{name}.yaml", files);
        var pitr = GitRemote.Git(remote, "show", "main:status/kafkarestore/default/pitr-restore.yaml");
        Assert.Contains("phase: Completed", pitr, StringComparison.Ordinal);
        // PITR at 10:30 keeps a quarter of the two hours of records (500 per partition, 6 partitions), inclusive.
        Assert.Contains("restoredRecords: 756", pitr, StringComparison.Ordinal);
        var log = GitRemote.Git(remote, "log", "--format=%an|%s", "main");
        Assert.Contains("kafka-restored|", log, StringComparison.Ordinal);
        Assert.EndsWith("Platform Engineer|Add disaster-recovery restores from examples/repo\n", log, StringComparison.Ordinal);
    }
}
