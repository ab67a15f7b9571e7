using System.Net;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue 10, Git faults, against the running daemon: the config remote disappears for a while and
/// comes back (the daemon keeps serving, /healthz and /metrics show the failed fetches, it catches
/// up), then the branch is force-pushed under it (detected, reported, nothing re-run).
/// KAFKA_RESTORED_FULL_RELIABILITY=1 runs the full number of outages.
/// </summary>
public sealed class GitFaultsDaemonTests(KafkaFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 2;
    private const int RecordsPerPartition = 30;
    private static bool Full => ReliabilityCounts.Full;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-gitfaults");

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_daemon_outlives_an_unreachable_remote_reports_it_catches_up_and_detects_a_force_push_without_re_running_work()
    {
        var outages = Full ? 5 : 1;
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, RecordsPerPartition, (p, i) => $"v-{p}-{i}");
        var secrets = _dir.Combine("secrets");
        Directory.CreateDirectory(secrets);
        var targets = new Dictionary<string, string>();
        string AddRestore(string name)
        {
            targets[name] = kafka.Broker.CreateUniqueTopic(name, Partitions);
            return orders.RestoreYaml(name, targets[name], kafka.Broker.BootstrapServers);
        }

        _remote.HumanCommit("add first restore", new Dictionary<string, string?> { ["restores/first.yaml"] = AddRestore("first") });
        using var daemon = new GitInputDaemon(_remote, _dir.Combine("state"), secrets);
        await daemon.WaitForAsync("first restore Completed in Git", () => Task.FromResult(Completed("first")), Patience);

        var away = _remote.BarePath + ".away";
        var failedFetches = 0.0;
        for (var outage = 1; outage <= outages; outage++)
        {
            var errorsBefore = (await daemon.MetricAsync("kafka_restored_git_fetch_errors_total"))!.Value;
            Directory.Move(_remote.BarePath, away);

            // Two failed fetches in a row: the outage is seen, the daemon still serves and says so.
            await daemon.WaitForAsync("failed fetches counted", async () => await daemon.MetricAsync("kafka_restored_git_fetch_errors_total") >= errorsBefore + 2, Patience);
            var health = (await daemon.HealthAsync())!.Value;
            Assert.Equal(HttpStatusCode.OK, health.Code);
            Assert.Contains("fetch", health.Body.GetProperty("lastError").GetString()!, StringComparison.OrdinalIgnoreCase);
            Assert.True(health.Body.GetProperty("gitFetchErrors").GetInt64() >= errorsBefore + 2);
            var syncDuringOutage = await daemon.MetricAsync("kafka_restored_last_successful_sync_timestamp_seconds");
            await daemon.WaitForAsync("another failed fetch", async () => await daemon.MetricAsync("kafka_restored_git_fetch_errors_total") >= errorsBefore + 3, Patience);
            Assert.Equal(syncDuringOutage, await daemon.MetricAsync("kafka_restored_last_successful_sync_timestamp_seconds"));

            // A human pushes a new restore to the remote where it now lives, then it comes back.
            var name = $"during-outage-{outage}";
            GitRemote.Git(_remote.HumanPath, "remote", "set-url", "origin", away);
            _remote.HumanCommit($"add {name}", new Dictionary<string, string?> { [$"restores/{name}.yaml"] = AddRestore(name) });
            GitRemote.Git(_remote.HumanPath, "remote", "set-url", "origin", _remote.BarePath);
            Directory.Move(away, _remote.BarePath);

            await daemon.WaitForAsync($"{name} Completed in Git after the remote returned", () => Task.FromResult(Completed(name)), Patience);
            await daemon.WaitForAsync("a successful sync after the outage", async () =>
                await daemon.MetricAsync("kafka_restored_last_successful_sync_timestamp_seconds") > syncDuringOutage
                && (await daemon.HealthAsync())!.Value.Body.GetProperty("lastError").ValueKind == System.Text.Json.JsonValueKind.Null, Patience);
            failedFetches = (await daemon.MetricAsync("kafka_restored_git_fetch_errors_total"))!.Value;
        }

        var tipBefore = ForcePushDroppingTheDaemonsCommits(targets.Keys.Last());

        await daemon.WaitForAsync("the force push counted", async () => await daemon.MetricAsync("kafka_restored_git_force_pushes_total") >= 1, Patience);
        await daemon.WaitForAsync("every status file back on the rewritten branch", () => Task.FromResult(targets.Keys.All(Completed)), Patience);
        var after = (await daemon.HealthAsync())!.Value;
        Assert.Equal(HttpStatusCode.OK, after.Code);
        Assert.Equal(1, after.Body.GetProperty("gitForcePushes").GetInt64());
        Assert.Contains("branch 'main' rewritten", after.Body.GetProperty("lastForcePush").GetString()!, StringComparison.Ordinal);
        Assert.Contains($"was force-pushed: its tip moved from {tipBefore[..12]}", daemon.Output, StringComparison.Ordinal);

        AssertNothingReRan(targets);
        Assert.False(daemon.HasExited);
        Assert.Equal(0, daemon.Stop());
        output.WriteLine($"outages {outages}: daemon kept running through all, failed fetches counted {failedFetches}, " +
            $"{outages} restore(s) committed during outages completed after the remote returned; force push detected 1/1; " +
            $"{targets.Count} restores, each 1 attempt, {Partitions * RecordsPerPartition} records each exactly once");
    }

    /// <summary>Force push: drops every daemon commit after the last human one, rewords it and pushes --force; returns the tip before.</summary>
    private string ForcePushDroppingTheDaemonsCommits(string lastRestore)
    {
        // Force push: drop every daemon commit after the last human one, reword it, push --force.
        var tipBefore = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();
        var lastHuman = _remote.RemoteGit("log", "-1", "--format=%H", "--author=Pat", _remote.Branch).Trim();
        GitRemote.Git(_remote.HumanPath, "fetch", "-q", "origin");
        GitRemote.Git(_remote.HumanPath, "reset", "-q", "--hard", lastHuman);
        GitRemote.Git(_remote.HumanPath, "commit", "-q", "--amend", "-m", "history rewritten");
        GitRemote.Git(_remote.HumanPath, "push", "-q", "--force", "origin", _remote.Branch);
        var rewritten = _remote.RemoteGit("rev-parse", _remote.Branch).Trim();
        var dropped = ProcessRunner.Run("git", ["cat-file", "-e", $"{rewritten}:status/kafkarestore/kafka-backup/{lastRestore}.yaml"], _remote.BarePath);
        Assert.True(dropped.ExitCode != 0, "the rewrite should have dropped the last restore's status file");
        return tipBefore;
    }

    /// <summary>Nothing re-ran: one attempt each, and every target holds its records exactly once.</summary>
    private void AssertNothingReRan(Dictionary<string, string> targets)
    {
        foreach (var (name, target) in targets)
        {
            Assert.Contains("attempts: 1", StatusFile(name), StringComparison.Ordinal);
            var read = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, target, Partitions);
            Assert.Equal(Partitions * RecordsPerPartition, read.Count);
            Assert.Equal(Partitions * RecordsPerPartition, read.Select(r => (r.Partition, r.Offset)).Distinct().Count());
        }
    }

    private string? StatusFile(string name)
    {
        var run = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:status/kafkarestore/kafka-backup/{name}.yaml"], _remote.BarePath);
        return run.ExitCode == 0 ? run.StdOut : null;
    }

    private bool Completed(string name) =>
        Directory.Exists(_remote.BarePath) && StatusFile(name)?.Contains("phase: Completed", StringComparison.Ordinal) == true;
}
