using KafkaRestored.Daemon.Tests.Http;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// Issue #15 item 4 in the daemon (<c>kafka-restored run</c> as a child process, one restore slot):
/// a restore whose folder backup has a FIFO for manifest.json used to stay Running for good and keep
/// the slot (runs_in_flight 1 for ever); now it fails at once naming the FIFO, runs_in_flight goes
/// back to 0, and the next restore gets the slot and completes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FifoBackupDaemonTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    private const string Namespace = "kafka-backup";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_fifo_manifest_fails_the_restore_and_frees_the_only_slot_for_the_next_one()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-fifo-daemon");
        var good = await OrdersBackup.WriteAsync(dir.Combine("good"), 1, 40);
        var fifo = await OrdersBackup.WriteAsync(dir.Combine("fifo"), 1, 40);
        var manifest = Path.Combine(fifo.Directory, "backup-1", "manifest.json");
        File.Delete(manifest);
        ProcessRunner.Run("mkfifo", [manifest]).EnsureSuccess("mkfifo");
        var port = DaemonProcess.FreePort();
        using var daemon = new DaemonProcess(
            ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", $"http://127.0.0.1:{port}"],
            TestPolicy.WithAllowAll(new Dictionary<string, string?>
            {
                ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
                ["KAFKA_RESTORED_MaxConcurrentRestores"] = "1",
            }));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        var job = "\n  job:\n    activeDeadlineSeconds: 5\n    backoffLimit: 0";
        remote.HumanCommit("a restore of a backup whose manifest is a FIFO", new Dictionary<string, string?>
        {
            ["restores/fifo.yaml"] = fifo.RestoreYaml("fifo", kafka.Broker.CreateUniqueTopic("fifo", 1), kafka.Broker.BootstrapServers, job, ns: Namespace),
        });
        var failed = await WaitForStatusAsync(daemon, remote, "fifo", "phase: Failed");
        Assert.Contains("reason: InvalidBackupManifest", failed, StringComparison.Ordinal);
        Assert.Contains($"backup object {manifest} is a FIFO (named pipe)", failed, StringComparison.Ordinal);

        // The slot came back: no run in flight, though one ran (the positive control of the gauge).
        var metrics = await daemon.WaitForAsync("runs_in_flight back to 0", async () =>
            await TryMetricsAsync(http) is { } m && m["kafka_restored_runs_in_flight"] == 0 ? m : null, Patience);
        Assert.Equal(1, metrics["kafka_restored_runs_in_flight_max"]);

        var target = kafka.Broker.CreateUniqueTopic("after-fifo", 1);
        remote.HumanCommit("the next restore", new Dictionary<string, string?>
        {
            ["restores/next.yaml"] = good.RestoreYaml("next", target, kafka.Broker.BootstrapServers, ns: Namespace),
        });
        await WaitForStatusAsync(daemon, remote, "next", "phase: Completed");
        Assert.Equal(40, Kcat.ReadTopic(kafka.Broker.BootstrapServers, target).Count);
        Assert.DoesNotContain("did not stop within", daemon.Output, StringComparison.Ordinal);
    }

    private static Task<string> WaitForStatusAsync(DaemonProcess daemon, GitRemote remote, string name, string phase) =>
        daemon.WaitForAsync($"{name} to reach {phase}", () =>
        {
            var show = ProcessRunner.Run("git", ["show", $"{remote.Branch}:status/kafkarestore/{Namespace}/{name}.yaml"], remote.BarePath);
            return Task.FromResult(show.ExitCode == 0 && show.StdOut.Contains(phase, StringComparison.Ordinal) ? show.StdOut : null);
        }, Patience);

    private static async Task<PrometheusTextParser.Exposition?> TryMetricsAsync(HttpClient http)
    {
        try
        {
            return PrometheusTextParser.Parse(await http.GetStringAsync("/metrics"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
