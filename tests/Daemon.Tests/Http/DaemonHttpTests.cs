using System.Net;
using System.Text;
using KafkaRestored.Daemon.Http;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// The HTTP surface of the real daemon (`kafka-restored run` as a child process, as under systemd):
/// with a one-hour poll interval only the webhook can start a cycle, so a cycle that records and
/// runs a freshly pushed restore is the webhook's doing; /metrics is then read as Prometheus would.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DaemonHttpTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    private const string Namespace = "kafka-backup";
    private const int Records = 40;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Webhook_starts_a_cycle_only_when_signed_and_metrics_parse_after_a_restore()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-http");
        var orders = await OrdersBackup.WriteAsync(dir.Combine("backups"), 1, Records, (_, i) => $"value-{i}");
        var target = kafka.Broker.CreateUniqueTopic("http-restored", 1);
        const string secret = "webhook-secret-for-the-http-test";
        var secretFile = dir.Combine("webhook-secret");
        File.WriteAllText(secretFile, secret + "\n");
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var port = DaemonProcess.FreePort();

        using var daemon = new DaemonProcess(
            ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", dir.Combine("state"),
             "--http-listen", $"http://127.0.0.1:{port}", "--webhook-secret-file", secretFile],
            TestPolicy.WithAllowAll(new Dictionary<string, string?>
            {
                ["KAFKA_RESTORED_PollInterval"] = "01:00:00",
                // As under systemd: journald-style lines with <priority> prefixes.
                ["INVOCATION_ID"] = "0123456789abcdef0123456789abcdef",
            }));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };

        // The first cycle runs at start (nothing to do yet); after it, none for an hour.
        var before = await daemon.WaitForAsync("the first cycle", async () =>
            await TryMetricsAsync(http) is { } m && m["kafka_restored_cycles_total"] >= 1 && m["kafka_restored_last_successful_sync_timestamp_seconds"] > 0 ? m : null, Patience);
        var cycles = before["kafka_restored_cycles_total"];
        Assert.Equal([new IPEndPoint(IPAddress.Loopback, port)], ListeningSockets.Of(daemon.Id));

        remote.HumanCommit("add a restore", new Dictionary<string, string?> { ["restores/http.yaml"] = orders.RestoreYaml("http", target, kafka.Broker.BootstrapServers, ns: Namespace) });
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\",\"after\":\"" + remote.RemoteGit("rev-parse", remote.Branch).Trim() + "\"}");

        await AssertUnsignedWrongAndTamperedHooksRejectedAsync(http, body, secret);
        // Rejected hooks start nothing: a cycle counts itself as it starts, and would record the restore.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(cycles, (await TryMetricsAsync(http))!["kafka_restored_cycles_total"]);
        Assert.DoesNotContain("status/", remote.RemoteGit("ls-tree", "-r", "--name-only", remote.Branch), StringComparison.Ordinal);

        using (var good = new ByteArrayContent(body))
        {
            good.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(secret, body));
            using var r = await http.PostAsync("/hooks/git", good);
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        }
        var status = $"status/kafkarestore/{Namespace}/http.yaml";
        await daemon.WaitForAsync("the restore, started by the webhook's cycle, to complete", () =>
        {
            var show = ProcessRunner.Run("git", ["show", $"{remote.Branch}:{status}"], remote.BarePath);
            return Task.FromResult(show.ExitCode == 0 && show.StdOut.Contains("phase: Completed", StringComparison.Ordinal) ? show.StdOut : null);
        }, Patience);
        Assert.Equal(Records, Kcat.ReadTopic(kafka.Broker.BootstrapServers, target).Count);

        await AssertMetricsAfterTheRestoreAsync(http, cycles, before);

        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
        // journald-friendly: every log line carries a <priority> prefix, and the restore's lines its identity.
        var logLines = daemon.Output.Split('\n').Where(l => l.Contains("KafkaRestored.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(logLines);
        Assert.All(logLines, l => Assert.Matches(@"^<[0-7]>", l));
        Assert.Contains(logLines, l => l.StartsWith("<6>", StringComparison.Ordinal)
            && l.Contains($"KafkaRestore {Namespace}/http generation 1", StringComparison.Ordinal)
            && l.Contains("Restore of backup backup-1", StringComparison.Ordinal));
    }

    /// <summary>Posts the hook unsigned, signed with the wrong secret, and tampered after signing: each is refused with 401.</summary>
    private static async Task AssertUnsignedWrongAndTamperedHooksRejectedAsync(HttpClient http, byte[] body, string secret)
    {
        using (var unsigned = await http.PostAsync("/hooks/git", new ByteArrayContent(body)))
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        using (var wrong = new ByteArrayContent(body))
        {
            wrong.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute("not-the-secret", body));
            using var r = await http.PostAsync("/hooks/git", wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using (var tampered = new ByteArrayContent([.. body, (byte)' ']))
        {
            tampered.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(secret, body));
            using var r = await http.PostAsync("/hooks/git", tampered);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
    }

    /// <summary>/metrics after the restore, parsed as Prometheus would: more cycles than <paramref name="cycles"/>, a fresh sync, the restore's records, bytes and duration, no push or fetch errors.</summary>
    private static async Task AssertMetricsAfterTheRestoreAsync(HttpClient http, double cycles, PrometheusTextParser.Exposition before)
    {
        var text = await http.GetStringAsync("/metrics");
        var metrics = PrometheusTextParser.Parse(text);
        Assert.True(metrics["kafka_restored_cycles_total"] > cycles, text);
        Assert.Equal("counter", metrics.Types["kafka_restored_cycles_total"]);
        Assert.Equal("gauge", metrics.Types["kafka_restored_last_successful_sync_timestamp_seconds"]);
        Assert.InRange(metrics["kafka_restored_last_successful_sync_timestamp_seconds"], before["kafka_restored_last_successful_sync_timestamp_seconds"],
            DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(1, metrics["kafka_restored_resources{kind=\"KafkaRestore\",phase=\"Completed\"}"]);
        Assert.Equal(0, metrics["kafka_restored_resources{kind=\"KafkaRestore\",phase=\"Running\"}"]);
        Assert.Equal(0, metrics["kafka_restored_resources{kind=\"KafkaOffsetReset\",phase=\"Completed\"}"]);
        Assert.Equal(Records, metrics["kafka_restored_restored_records"]);
        // Keys "k0".."k39" and values "value-0".."value-39", no headers.
        var bytes = Enumerable.Range(0, Records).Sum(i => $"k{i}".Length + $"value-{i}".Length);
        Assert.Equal(bytes, metrics["kafka_restored_restored_bytes"]);
        Assert.Equal("histogram", metrics.Types["kafka_restored_restore_duration_seconds"]);
        Assert.Equal(1, metrics["kafka_restored_restore_duration_seconds_count"]);
        Assert.Equal(1, metrics["kafka_restored_restore_duration_seconds_bucket{le=\"+Inf\"}"]);
        Assert.True(metrics["kafka_restored_restore_duration_seconds_sum"] >= 0);
        Assert.Equal(0, metrics["kafka_restored_status_push_failures_total"]);
        Assert.Equal(0, metrics["kafka_restored_git_fetch_errors_total"]);
    }

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
