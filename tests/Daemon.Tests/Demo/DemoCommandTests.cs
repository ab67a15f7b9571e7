using System.Diagnostics;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Demo;

/// <summary>The README's first command: the whole loop on embedded defaults, checked as a person would with git.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void Demo_restores_every_example_backs_up_and_drills_and_commits_the_status_history()
    {
        using var dir = new TempDir();
        var demoDir = dir.Combine("demo");

        // Every process the demo starts inherits this variable: after it exits, none may be left.
        var marker = "KAFKA_RESTORED_DEMO_TEST_" + Guid.NewGuid().ToString("N");
        using (var probe = Process.Start(new ProcessStartInfo("sleep", "30") { Environment = { [marker] = "1" } })!)
        {
            // The search finds a process that carries the variable.
            Assert.Single(ProcessesWithVariable(marker));
            probe.Kill();
            probe.WaitForExit();
        }
        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "demo", "--dir", demoDir, "--records", "500"],
            environment: new Dictionary<string, string?> { [marker] = "1" }, timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        // The embedded brokers live in the demo's own process: no process with the marker, no broker left.
        // (Probing their ports would race other tests, which may bind a freed port.)
        Assert.Empty(ProcessesWithVariable(marker));
        Assert.Contains("Running -> Completed", result.StdOut, StringComparison.Ordinal);
        // The status page is served while the demo runs, on a loopback port the system picked.
        Assert.Matches(@"\n      status page: http://127\.0\.0\.1:[1-9][0-9]*/ \(read-only", result.StdOut);
        // librdkafka's notice that the cluster's own client has no bootstrap servers is noise on a first run.
        Assert.DoesNotContain("CONFWARN", result.StdOut + result.StdErr, StringComparison.Ordinal);
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
        // One KafkaBackup run (of the cluster's live topics: 500 records in each of 6 partitions) and one passing drill of that very backup.
        var backupLine = Assert.Single(result.StdOut.Split('\n'), l => l.Contains("KafkaBackup       kafka-backup/orders-nightly", StringComparison.Ordinal));
        Assert.Matches(@"Completed\s+3,000 records\s+BackupCompleted; wrote backup orders-nightly-\d{8}-\d{6}$", backupLine);
        var backupId = backupLine[(backupLine.LastIndexOf(' ') + 1)..];
        Assert.Contains($"DrillPassed; drilled backup {backupId}\n      Drill passed: 3,000 records verified in 6 partitions (count and checksum)", result.StdOut, StringComparison.Ordinal);
        var backupStatus = GitRemote.Git(remote, "show", "main:status/kafkabackup/kafka-backup/orders-nightly.yaml");
        Assert.Contains($"backupId: {backupId}", backupStatus, StringComparison.Ordinal);
        Assert.Contains("records: 3000", backupStatus, StringComparison.Ordinal);
        var drill = GitRemote.Git(remote, "show", "main:status/kafkarestoredrill/kafka-backup/weekly-orders-drill.yaml");
        Assert.Contains("result: Passed", drill, StringComparison.Ordinal);
        Assert.Contains($"backupId: {backupId}", drill, StringComparison.Ordinal);
        Assert.Contains("recordsVerified: 3000", drill, StringComparison.Ordinal);
        Assert.Contains("mismatches: 0", drill, StringComparison.Ordinal);
        var log = GitRemote.Git(remote, "log", "--format=%an|%s", "main");
        Assert.Contains("Platform Engineer|Run KafkaBackup orders-nightly now (kafka.oso.sh/rerun)", log, StringComparison.Ordinal);
        Assert.Contains("kafka-restored|", log, StringComparison.Ordinal);
        Assert.EndsWith("Platform Engineer|Add disaster-recovery restores from examples/repo\n", log, StringComparison.Ordinal);

        // The closing hint works as printed: run it, from another folder, as a newcomer would paste it.
        var lines = result.StdOut.TrimEnd('\n').Split('\n');
        Assert.Contains("Look around, from any folder:", lines[^2], StringComparison.Ordinal);
        using var elsewhere = new TempDir("kr-demo-hint");
        var hint = ProcessRunner.Run("bash", ["-c", lines[^1].Trim()], workingDirectory: elsewhere.Path);
        Assert.True(hint.ExitCode == 0, $"'{lines[^1].Trim()}' exited {hint.ExitCode}\n{hint.StdOut}{hint.StdErr}");
        foreach (var name in new[] { "simple-restore", "pitr-restore", "full-restore", "dev-restore", "dr-restore" })
            Assert.Contains($"name: {name}", hint.StdOut, StringComparison.Ordinal);
        Assert.Contains("phase: Completed", hint.StdOut, StringComparison.Ordinal);
    }

    /// <summary>Ids of live processes whose environment holds <paramref name="variable"/>.</summary>
    private static List<string> ProcessesWithVariable(string variable)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(dir, "environ")).Contains(variable + "=", StringComparison.Ordinal))
                    found.Add($"{Path.GetFileName(dir)} {File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ')}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // exited while listing, or another user's process
            }
        }
        return found;
    }
}
