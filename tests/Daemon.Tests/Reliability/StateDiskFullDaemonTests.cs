using System.Text.Json;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Tests.Shared;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue 23's full state disk, alone: the daemon's state directory (state.db and the clone) on a small disk of its own, filled
/// to the last byte while a restore runs and freed seconds later. Before, LiteDB's log writer hung the state thread for good on
/// ENOSPC (tests/Reconciler.Tests/State/StateStoreDiskFullTests), and once the store refused writes, a failed cycle started the
/// next at once: a thousand failed cycles, and log lines, a second (nemesis seed 483060).
/// </summary>
public sealed class StateDiskFullDaemonTests(KafkaFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 8;
    private const int RecordsPerPartition = 50_000;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-diskfull");

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [SmallDiskFact]
    public async Task A_full_state_disk_mid_restore_is_reported_paces_the_retries_and_the_restore_completes_once_there_is_room()
    {
        using var disk = new SmallDisk(64);
        var orders = await OrdersBackup.WriteAsync(_dir.Combine("backups"), Partitions, RecordsPerPartition, (p, i) => $"v-{p}-{i}");
        var secrets = _dir.Combine("secrets");
        Directory.CreateDirectory(secrets);
        var target = kafka.Broker.CreateUniqueTopic("diskfull", Partitions);
        // Every answer takes 300 ms, so the restore lasts long enough to meet the full disk part-way.
        kafka.Broker.SetRtt(300);
        try
        {
            _remote.HumanCommit("add restore", new Dictionary<string, string?>
            {
                ["restores/r.yaml"] = orders.RestoreYaml("r", target, kafka.Broker.BootstrapServers,
                // The 8 MiB floor keeps few records unacknowledged at a time: with the 300 ms answers the restore lasts long enough.
                extra: "\n  resources:\n    limits:\n      memory: 8Mi")
            });
            using var daemon = new GitInputDaemon(_remote, disk.Path, secrets, new Dictionary<string, string?> { ["KAFKA_RESTORED_ProgressCommitInterval"] = "00:00:01" });
            // Progress as the daemon saves it (every second), read over HTTP: reading the target's end offsets through the 300 ms
            // answers was too slow on a busy machine to catch the restore part-way.
            await daemon.WaitForAsync("the restore part-way", async () =>
                await daemon.MetricAsync("kafka_restored_restored_records") is > 0 and < Partitions * RecordsPerPartition, Patience);

            var ballast = disk.Fill();
            var linesBefore = daemon.Output.Split('\n').Length;
            var full = TimeSpan.FromSeconds(8);
            await Task.Delay(full);
            var health = (await daemon.HealthAsync())!.Value;
            var during = daemon.Output.Split('\n').Skip(linesBefore).ToList();
            disk.Free();

            // The test's premise: the state store met the full disk (not only Git's clone).
            Assert.True(during.Any(l => l.Contains("the state disk is full", StringComparison.Ordinal)),
                "the state store never met the full disk (the test missed its case); the daemon's log:\n" + daemon.Output);
            Assert.False(daemon.HasExited, "the daemon exited on a full disk:\n" + daemon.Output);
            Assert.Equal(System.Net.HttpStatusCode.OK, health.Code);
            var lastError = Describe(health.Body);
            Assert.True(lastError.Contains("No space left on device", StringComparison.Ordinal) || lastError.Contains("the state disk is full", StringComparison.Ordinal),
                "/healthz lastError does not say the disk is full: " + lastError);
            // Paced: with 1, 2, 4 s between failed cycles, 8 s hold a handful; unpaced they were about 800.
            var failedCycles = during.Count(l => l.Contains("Cycle failed", StringComparison.Ordinal));
            Assert.True(failedCycles <= 10, $"{failedCycles} failed cycles in {full.TotalSeconds} s of a full disk:\n{string.Join('\n', during.Take(60))}");

            await daemon.WaitForAsync("the restore Completed in Git", () => Task.FromResult(StatusFile()?.Contains("phase: Completed", StringComparison.Ordinal) == true), Patience);
            var read = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, target, Partitions);
            Assert.Equal(Partitions * RecordsPerPartition, read.Count);
            foreach (var p in Enumerable.Range(0, Partitions))
            {
                var values = read.Where(r => r.Partition == p).Select(r => System.Text.Encoding.UTF8.GetString(r.Value!)).ToList();
                Assert.Equal(Enumerable.Range(0, RecordsPerPartition).Select(i => $"v-{p}-{i}"), values);
            }
            // An attempt the full disk ended says so by its reason, never as an unexplained error.
            Assert.DoesNotContain("UnexpectedError", daemon.Output, StringComparison.Ordinal);
            Assert.Equal(0, daemon.Stop());
            output.WriteLine($"ballast {ballast:N0} bytes for {full.TotalSeconds} s: {during.Count} log lines, {failedCycles} failed cycles, " +
                $"{during.Count(l => l.Contains("the state disk is full", StringComparison.Ordinal))} naming the full state disk; " +
                $"attempts failed for StateStoreUnwritable: {daemon.Output.Split('\n').Count(l => l.Contains("StateStoreUnwritable", StringComparison.Ordinal) && l.Contains("Attempt", StringComparison.Ordinal))}; " +
                $"{read.Count} records, each once, in order; the log while the disk was full:\n{string.Join('\n', during)}");
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }

        // What the next start reads: the restore Completed.
        using var store = StateStore.Open(disk.Path, readOnly: true);
        Assert.Equal(ResourcePhase.Completed, store.Find(new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r"))!.Phase);
    }

    private static string Describe(JsonElement health) => health.GetProperty("lastError").ValueKind == JsonValueKind.String ? health.GetProperty("lastError").GetString()! : "(no lastError)";

    private string? StatusFile()
    {
        var run = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:status/kafkarestore/kafka-backup/r.yaml"], _remote.BarePath);
        return run.ExitCode == 0 ? run.StdOut : null;
    }
}
