using System.Globalization;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// The status page in headless Chromium (Debian's, driven by playwright-core) against the real daemon
/// (`kafka-restored run` as a child process) on the embedded cluster (the mock broker): the page lists the
/// resources with their phases, a slowed restore's progress moves and reaches Completed in one page load, a
/// drill's chart plots one point per run against its rto, (committed HTML: <see cref="StatusPageHostileBrowserTests"/>).
/// Each page's screenshot is written to artifacts/screenshots/.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusPageBrowserTests(KafkaFixture kafka, ITestOutputHelper output) : IClassFixture<KafkaFixture>
{
    private const string Namespace = StatusPageBrowser.Namespace;
    private const int Partitions = 8;
    private const int PerPartition = 15_000;

    // As in StatusPageTests: with the 8 MiB memory floor each slowed round trip acknowledges a bounded amount, so
    // the 24 MB restore takes several progress reports on any machine while the round trips are slow.
    private const int SlowRttMs = 1500;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task The_page_lists_the_resources_moves_a_restore_live_to_Completed_and_charts_each_drill_run()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Step(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-browser");
        var backup = await OrdersBackup.WriteAsync(dir.Combine("backups"), Partitions, PerPartition, (p, i) => $"order-{p}-{i}-" + new string('v', 180));
        var drillBackup = await OrdersBackup.WriteAsync(dir.Combine("drill-backups"), 2, 50);
        var target = kafka.Broker.CreateUniqueTopic("browser-restored", Partitions);
        // The drill writes to a cluster of its own, out of reach of the restore's slowed round trips.
        using var drillCluster = MockKafkaBroker.Start(1);
        var prefix = "drill-" + Guid.NewGuid().ToString("N")[..8] + "-";
        drillCluster.CreateTopic(prefix + "orders", 2);
        kafka.Broker.SetRtt(SlowRttMs);
        try
        {
            remote.HumanCommit("add a slow restore, a failing one and a drill every 2 s", new Dictionary<string, string?>
            {
                ["restores/slow.yaml"] = backup.RestoreYaml("slow", target, kafka.Broker.BootstrapServers, "\n  resources:\n    limits: {memory: 8Mi}", ns: Namespace),
                ["restores/missing.yaml"] = backup.RestoreYaml("missing", target, kafka.Broker.BootstrapServers, ns: Namespace)
                    .Replace("backupId: backup-1", "backupId: backup-404", StringComparison.Ordinal),
                ["drills/often.yaml"] = drillBackup.DrillYaml("often", prefix, drillCluster.BootstrapServers, "*/2 * * * * *", rto: "5s", ns: Namespace),
            });
            using var daemon = StatusPageBrowser.StartDaemon(remote, dir, out var url);
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            using var browser = await HeadlessBrowser.StartAsync();
            Step($"daemon and Chromium {browser.Version} started");

            // One page load, once the restore is known: everything after it is the page's own doing.
            await daemon.WaitForAsync("the slow restore in the live feed", async () =>
                await StatusPageTests.Feed(http) is { } f && StatusPageTests.Phase(f, "slow") is not null ? f : null, Patience);
            Assert.Equal(200, await browser.GotoAsync(url + "/"));
            await browser.EvalAsync("window.krLoadMark = 'first load'");
            Step("overview loaded");
            var first = await OnPageAsync(daemon, browser, "the slow restore part-way on the page", RecordsOf("slow"), t => Done(t) is > 0 && Done(t) < Total(t));
            var later = await OnPageAsync(daemon, browser, "the slow restore's progress to move on the page", RecordsOf("slow"), t => Done(t) > Done(first));
            Step($"progress {first} then {later} on the page");
            Assert.Equal(Partitions * PerPartition, Total(later));
            Assert.Equal("Running", await browser.TextAsync(PhaseOf("KafkaRestore", "slow")));
            await browser.ScreenshotAsync(StatusPageBrowser.Screenshot("status-overview-running.png"));

            kafka.Broker.SetRtt(0);
            await OnPageAsync(daemon, browser, "the slow restore Completed on the page", PhaseOf("KafkaRestore", "slow"), p => p == "Completed");
            Step("Completed on the page");
            await OnPageAsync(daemon, browser, "the missing restore Failed on the page", PhaseOf("KafkaRestore", "missing"), p => p == "Failed");
            Assert.Equal("gone", await browser.TextAsync($"document.querySelector('#live a[href=\"{StatusPageBrowser.ResourcePath("KafkaRestore", "slow")}\"]') ? 'shown' : 'gone'"));
            // The same document throughout: no reload happened (the mark set after loading is still there, one load event).
            Assert.Equal(("first load", 1), (await browser.TextAsync("window.krLoadMark ?? null"), browser.Loads));
            var listed = await browser.TextAsync("[...document.querySelectorAll('td[data-resource]')].map(c => c.getAttribute('data-resource') + '=' + c.textContent).join('\\n')");
            Assert.Contains($"KafkaRestore/{Namespace}/slow=Completed", listed, StringComparison.Ordinal);
            Assert.Contains($"KafkaRestore/{Namespace}/missing=Failed", listed, StringComparison.Ordinal);
            Assert.Contains($"KafkaRestoreDrill/{Namespace}/often=", listed, StringComparison.Ordinal);
            await browser.ScreenshotAsync(StatusPageBrowser.Screenshot("status-overview.png"));

            Assert.Equal(200, await browser.GotoAsync(url + StatusPageBrowser.ResourcePath("KafkaRestore", "slow")));
            Assert.Equal("1 run plotted, 0 failed", await ChartLabelAsync(daemon, browser));
            var history = await browser.TextAsync("[...document.querySelectorAll('.history tbody tr td:nth-child(2)')].map(c => c.textContent).join(',')");
            Assert.StartsWith("Completed,", history, StringComparison.Ordinal);
            Assert.Contains("Running", history, StringComparison.Ordinal);
            await browser.ScreenshotAsync(StatusPageBrowser.Screenshot("status-restore.png"));

            await AssertDrillChartAsync(remote, daemon, browser, url);
            Step("drill chart checked");
            Assert.Empty(browser.Errors);
            Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }
    }

    /// <summary>Waits for the drill's second run in Git, then checks its page plots one point per run with the rto line.</summary>
    private static async Task AssertDrillChartAsync(GitRemote remote, DaemonProcess daemon, HeadlessBrowser browser, string url)
    {
        var statusPath = $"status/kafkarestoredrill/{Namespace}/often.yaml";
        var committedRuns = await daemon.WaitForAsync("two drill runs in the drill's status file", () =>
        {
            var show = ProcessRunner.Run("git", ["show", $"{remote.Branch}:{statusPath}"], remote.BarePath);
            var runs = show.ExitCode == 0 ? show.StdOut.Split("- startTime:").Length - 1 : 0;
            return Task.FromResult(runs >= 2 ? runs.ToString(CultureInfo.InvariantCulture) : null);
        }, Patience);
        Assert.Equal(200, await browser.GotoAsync(url + StatusPageBrowser.ResourcePath("KafkaRestoreDrill", "often")));
        var label = await ChartLabelAsync(daemon, browser);
        var rows = (int)(await browser.EvalAsync("document.querySelectorAll('.runs-table tbody tr').length"))!.GetValue<double>();
        var failedRows = (int)(await browser.EvalAsync("document.querySelectorAll('.runs-table tbody tr.failed').length"))!.GetValue<double>();
        // The store is ahead of Git, never behind: the page shows at least the runs committed before it loaded.
        Assert.InRange(rows, int.Parse(committedRuns, CultureInfo.InvariantCulture), 10);
        Assert.Equal($"{rows} runs plotted, {failedRows} failed, objective 5 s drawn as a line", label);
        Assert.Equal(1, (await browser.EvalAsync("document.querySelectorAll('#runs-chart canvas').length"))!.GetValue<double>());
        Assert.Contains("Objective (rto): 5s", await browser.TextAsync("document.querySelector('.runs').textContent"), StringComparison.Ordinal);
        await browser.ScreenshotAsync(StatusPageBrowser.Screenshot("status-drill.png"));
    }

    /// <summary>Polls the page until <paramref name="expression"/> yields a string <paramref name="accept"/> takes; a timeout or the daemon's exit fails with its output.</summary>
    private static Task<string> OnPageAsync(DaemonProcess daemon, HeadlessBrowser browser, string what, string expression, Func<string, bool> accept) =>
        daemon.WaitForAsync(what, async () => await browser.TextAsync(expression) is { } text && accept(text) ? text : null, Patience);

    private static async Task<string> ChartLabelAsync(DaemonProcess daemon, HeadlessBrowser browser) =>
        await OnPageAsync(daemon, browser, "the chart drawn", "document.querySelector('#runs-chart')?.getAttribute('aria-label') ?? null", _ => true);

    private static string PhaseOf(string kind, string name) =>
        $"document.querySelector('td[data-resource=\"{kind}/{Namespace}/{name}\"]')?.textContent ?? null";

    private static string RecordsOf(string name) =>
        $"document.querySelector('#live a[href=\"{StatusPageBrowser.ResourcePath("KafkaRestore", name)}\"]')?.closest('.run')?.querySelector('.records')?.textContent ?? null";

    private static long? Done(string records) => Part(records, 0);

    private static long? Total(string records) => Part(records, 1);

    private static long? Part(string records, int index) =>
        records.Split(" / ") is [var done, var total] && long.TryParse(index == 0 ? done : total, CultureInfo.InvariantCulture, out var n) ? n : null;
}
