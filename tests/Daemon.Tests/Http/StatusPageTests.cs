using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaRestored.Daemon.Http;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// The status page of the real daemon (`kafka-restored run` as a child process) over its real listener, after a
/// real reconcile of a real Git remote against the mock broker: a slowed restore's progress moves in the live
/// feed and reaches Completed, the pages list the resources with the commits Git has, a failed run shows its
/// reason, committed HTML renders as text, and no response carries the secret the daemon holds.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class StatusPageTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    private const string Namespace = "kafka-backup";
    private const int Partitions = 8;
    private const int PerPartition = 15_000;

    // With the 8 MiB memory floor (about 4 MiB unacknowledged) each round trip acknowledges a bounded amount,
    // so 24 MB of backup takes several progress reports (every 2 s) on any machine.
    private const int SlowRttMs = 1500;
    private const string Secret = "status-page-secret-4b1d9e";
    private const string Hostile = "<script>alert('x')</script>";
    private const string HostileStatus = "<img src=x onerror=alert(1)>";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_page_shows_a_real_reconcile_live_progress_history_and_failures_and_escapes_and_hides_what_it_must()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-page");
        var backup = await OrdersBackup.WriteAsync(dir.Combine("backups"), Partitions, PerPartition, (p, i) => $"order-{p}-{i}-" + new string('v', 180));
        var target = kafka.Broker.CreateUniqueTopic("page-restored", Partitions);
        var secretFile = WriteSecret(dir);
        var port = DaemonProcess.FreePort();
        var budget = "\n  resources:\n    limits: {memory: 8Mi}";
        kafka.Broker.SetRtt(SlowRttMs);
        try
        {
            remote.HumanCommit("add restores", new Dictionary<string, string?>
            {
                ["restores/slow.yaml"] = backup.RestoreYaml("slow", target, kafka.Broker.BootstrapServers, budget, ns: Namespace),
                ["restores/missing.yaml"] = backup.RestoreYaml("missing", target, kafka.Broker.BootstrapServers, ns: Namespace)
                    .Replace("backupId: backup-1", "backupId: backup-404", StringComparison.Ordinal),
                ["restores/hostile.yaml"] = backup.RestoreYaml("hostile", "\"" + Hostile + "\"", kafka.Broker.BootstrapServers, ns: Namespace),
                // A human's status file: its message reaches the page through the Git history.
                [$"status/kafkarestore/{Namespace}/hostile.yaml"] =
                    $"status:\n  phase: Failed\n  conditions:\n  - type: Ready\n    reason: Hand\n    message: \"{HostileStatus}{new string('x', 5000)}\"\n",
            });
            using var daemon = new DaemonProcess(
                ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", dir.Combine("state"),
                 "--http-listen", $"http://127.0.0.1:{port}", "--webhook-secret-file", secretFile, "--secrets-dir", dir.Combine("secrets")],
                TestPolicy.WithAllowAll(new Dictionary<string, string?> { ["KAFKA_RESTORED_PollInterval"] = "00:00:02" }));
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var responses = new List<string>();

            var (first, later) = await WaitForMovingProgressAsync(daemon, http);
            Assert.InRange(first.RecordsDone, 1, later.RecordsDone - 1);
            Assert.Equal(Partitions, later.Partitions.Count);
            Assert.All(later.Partitions, p => Assert.Equal((target, PerPartition), (p.Topic, p.RecordsTotal)));
            Assert.Equal(later.RecordsDone, later.Partitions.Sum(p => p.RecordsDone));
            var running = await GetAsync(http, "/", responses);
            Assert.Contains("<h2>Running now</h2>", running, StringComparison.Ordinal);
            Assert.Matches($@"<td>{Regex.Escape(target)}</td><td>7</td><td>\d+ / {PerPartition}</td>", running);
            kafka.Broker.SetRtt(0);

            await daemon.WaitForAsync("the slow restore to complete, as the feed says", async () =>
                await Feed(http) is { } f && f.Runs.Count == 0 && Phase(f, "slow") == "Completed" ? f : null, Patience);
            var statusPath = $"status/kafkarestore/{Namespace}/slow.yaml";
            var gitLog = await daemon.WaitForAsync("the Completed status commit", () =>
                Task.FromResult(ProcessRunner.Run("git", ["show", $"{remote.Branch}:{statusPath}"], remote.BarePath).StdOut.Contains("phase: Completed", StringComparison.Ordinal)
                    ? remote.RemoteGit("log", "--format=%H", remote.Branch, "--", statusPath).Split('\n', StringSplitOptions.RemoveEmptyEntries) : null), Patience);

            await AssertOverviewAsync(http, responses, gitLog[0]);
            await AssertHistoryAsync(http, responses, gitLog);
            await AssertFailedRunAsync(http, responses);
            await AssertHostileTextIsInertAsync(http, responses);
            await AssertReadOnlyAndSelfContainedAsync(http, responses);
            foreach (var path in new[] { "/api/live", "/metrics", "/healthz", "/assets/status.js", "/resources/KafkaRestore/nope/none" })
                responses.Add(await (await http.GetAsync(path)).Content.ReadAsStringAsync());

            // Positive control: the secret is on disk and readable, so a page that leaked it would be caught.
            Assert.Contains(Secret, File.ReadAllText(secretFile), StringComparison.Ordinal);
            Assert.Contains(Secret, File.ReadAllText(dir.Combine("secrets/kafka/password")), StringComparison.Ordinal);
            Assert.True(responses.Count >= 10);
            Assert.All(responses, r => Assert.DoesNotContain(Secret, r, StringComparison.Ordinal));
            Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }
    }

    [Fact]
    public async Task With_the_listener_off_the_daemon_reconciles_and_serves_nothing()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-page-off");
        var backup = await OrdersBackup.WriteAsync(dir.Combine("backups"), 1, 10);
        var target = kafka.Broker.CreateUniqueTopic("page-off", 1);
        remote.HumanCommit("add a restore", new Dictionary<string, string?> { ["restores/r.yaml"] = backup.RestoreYaml("r", target, kafka.Broker.BootstrapServers, ns: Namespace) });
        var port = DaemonProcess.FreePort();
        using var daemon = new DaemonProcess(
            ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", dir.Combine("state"), "--http-listen", "off"],
            TestPolicy.WithAllowAll());
        // Positive control that the daemon works: it reconciles and commits status.
        await daemon.WaitForAsync("a status commit", () => Task.FromResult(
            ProcessRunner.Run("git", ["show", $"{remote.Branch}:status/kafkarestore/{Namespace}/r.yaml"], remote.BarePath).ExitCode == 0 ? "" : null), Patience);
        Assert.Empty(ListeningSockets.Of(daemon.Id));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/"));
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
    }

    private static string WriteSecret(TempDir dir)
    {
        var file = dir.Combine("webhook-secret");
        File.WriteAllText(file, Secret + "\n");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(dir.Combine("secrets/kafka"));
        File.WriteAllText(dir.Combine("secrets/kafka/password"), Secret);
        return file;
    }

    /// <summary>Two snapshots of the slow restore from the feed, both part-way, the later one further.</summary>
    private static async Task<(LiveFeedRun First, LiveFeedRun Later)> WaitForMovingProgressAsync(DaemonProcess daemon, HttpClient http)
    {
        var first = await daemon.WaitForAsync("the slow restore part-way in the live feed", async () =>
            await Feed(http) is { } f && f.Runs.FirstOrDefault(r => r.Name == "slow") is { RecordsDone: > 0 } r && r.RecordsDone < r.RecordsTotal ? r : null, Patience);
        var later = await daemon.WaitForAsync("the slow restore's progress to move without a reload", async () =>
            await Feed(http) is { } f && f.Runs.FirstOrDefault(r => r.Name == "slow") is { } r && r.RecordsDone > first.RecordsDone ? r : null, Patience);
        return (first, later);
    }

    private static async Task AssertOverviewAsync(HttpClient http, List<string> responses, string lastCommit)
    {
        var page = await GetAsync(http, "/", responses);
        Assert.Contains("<h2>KafkaRestore</h2>", page, StringComparison.Ordinal);
        Assert.Contains("No restore is running.", page, StringComparison.Ordinal);
        foreach (var (name, phase) in new[] { ("slow", "Completed"), ("missing", "Failed"), ("hostile", "Failed") })
            Assert.Matches($"data-resource=\"KafkaRestore/{Namespace}/{name}\">{phase}</td>", page);
        // The slow restore's row names the commit that last changed its status file.
        Assert.Matches($"href=\"/resources/KafkaRestore/{Namespace}/slow\">slow</a>.*?<code title=\"{lastCommit}\">{lastCommit[..12]}</code>", page);
        Assert.Contains("<h2>Last status commits</h2>", page, StringComparison.Ordinal);
        Assert.Contains($"<code title=\"{lastCommit}\">", page, StringComparison.Ordinal);
    }

    private static async Task AssertHistoryAsync(HttpClient http, List<string> responses, string[] gitLog)
    {
        var page = await GetAsync(http, $"/resources/KafkaRestore/{Namespace}/slow", responses);
        var history = page[page.IndexOf("<section class=\"history\">", StringComparison.Ordinal)..];
        var rows = HistoryRow().Matches(history).Select(m => (Phase: m.Groups["phase"].Value, Sha: m.Groups["sha"].Value)).ToList();
        Assert.Equal("Completed", rows[0].Phase);
        Assert.Equal(gitLog[0], rows[0].Sha);
        Assert.Contains(rows, r => r.Phase == "Running");
        Assert.All(rows, r => Assert.Contains(r.Sha, gitLog));
        // The finished run's time is in the chart's data and its table.
        Assert.Contains("id=\"runs-chart\" data-runs=\"[{&quot;at&quot;:", page, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/assets/vendor/uPlot.iife.min.js\"></script>", page, StringComparison.Ordinal);
    }

    private static async Task AssertFailedRunAsync(HttpClient http, List<string> responses)
    {
        var page = await GetAsync(http, $"/resources/KafkaRestore/{Namespace}/missing", responses);
        Assert.Matches("<section class=\"failure\"><h2>Failed</h2><p><strong class=\"reason\">BackupNotFound</strong>: <span class=\"message\">[^<]*backup-404", page);
    }

    private static async Task AssertHostileTextIsInertAsync(HttpClient http, List<string> responses)
    {
        var overview = await GetAsync(http, "/", responses);
        var page = await GetAsync(http, $"/resources/KafkaRestore/{Namespace}/hostile", responses);
        foreach (var html in new[] { overview, page })
        {
            Assert.Contains("InvalidTopicName", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(", html, StringComparison.Ordinal);
            Assert.DoesNotContain(Hostile, html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        }
        // The human's status file is in the Git history: rendered as text, and cut.
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain(HostileStatus, page, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', PageFormat.MaxText + 1), page, StringComparison.Ordinal);
        Assert.Contains(new string('x', PageFormat.MaxText / 2), page, StringComparison.Ordinal);
    }

    private static async Task AssertReadOnlyAndSelfContainedAsync(HttpClient http, List<string> responses)
    {
        foreach (var (method, path) in new[] { ("POST", "/"), ("PUT", $"/resources/KafkaRestore/{Namespace}/slow"), ("DELETE", "/api/live"), ("POST", "/assets/status.js") })
        {
            using var r = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            Assert.Equal(HttpStatusCode.MethodNotAllowed, r.StatusCode);
            Assert.Equal("GET, HEAD", r.Content.Headers.Allow.Count > 0 ? string.Join(", ", r.Content.Headers.Allow) : string.Join(", ", r.Headers.GetValues("Allow")));
        }
        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
        using var get = await http.GetAsync("/");
        Assert.Equal(StatusPageEndpoints.ContentSecurityPolicy, string.Join("", get.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join("", get.Headers.GetValues("X-Content-Type-Options")));
        var html = await get.Content.ReadAsStringAsync();
        responses.Add(html);
        Assert.DoesNotMatch("<script(?![^>]*\\ssrc=\"/assets/)", html);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
        foreach (var (asset, type, marker) in new[] { ("/assets/status.js", "text/javascript", "textContent"), ("/assets/vendor/uPlot.iife.min.js", "text/javascript", "uPlot"), ("/assets/vendor/uPlot.min.css", "text/css", ".uplot") })
        {
            using var r = await http.GetAsync(asset);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.StartsWith(type, r.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
            Assert.Contains(marker, await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static async Task<string> GetAsync(HttpClient http, string path, List<string> responses)
    {
        using var r = await http.GetAsync(path);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)r.StatusCode} {body}");
        Assert.StartsWith("text/html", r.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        responses.Add(body);
        return body;
    }

    /// <summary>The daemon's /api/live, or null while it does not answer.</summary>
    internal static async Task<LiveFeed?> Feed(HttpClient http)
    {
        try
        {
            return JsonSerializer.Deserialize<LiveFeed>(await http.GetStringAsync("/api/live"), JsonSerializerOptions.Web);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The phase of the resource named <paramref name="name"/> in the feed, or null.</summary>
    internal static string? Phase(LiveFeed feed, string name) => feed.Resources.FirstOrDefault(r => r.Name == name)?.Phase;

    [GeneratedRegex("<tr><td>[^<]*</td><td class=\"phase-(?<phase>[A-Za-z]+)\">[^<]*</td><td>[^<]*</td><td><code title=\"(?<sha>[0-9a-f]{40})\">")]
    private static partial Regex HistoryRow();
}
