using System.Text.RegularExpressions;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// `kafka-restored demo --serve` (the README's first command) as a child process, its status page in headless
/// Chromium: the URL it prints opens a page listing every demo resource (restores, the backup, the drill) Completed; Ctrl+C then ends it with 0.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class StatusPageDemoBrowserTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task The_demo_serves_its_status_page_listing_its_restores_with_their_phases()
    {
        using var dir = new TempDir("kr-demo-page");
        using var demo = new DaemonProcess(["demo", "--dir", dir.Combine("demo"), "--records", "200", "--serve"], new Dictionary<string, string?>());
        var url = await demo.WaitForAsync("the demo to settle and keep serving", () => Task.FromResult(
            demo.StdOut.Contains("Ctrl+C stops the demo", StringComparison.Ordinal) ? PageUrl().Match(demo.StdOut).Groups["url"].Value : null), Patience);
        // What the demo printed for each resource, e.g. "KafkaRestore      default/pitr-restore   Completed": 6 restores, a backup and a drill.
        var printed = PrintedResource().Matches(demo.StdOut).Select(m => $"{m.Groups["kind"].Value}/{m.Groups["id"].Value}={m.Groups["phase"].Value}").Order().ToList();
        Assert.Equal(8, printed.Count);

        using var browser = await HeadlessBrowser.StartAsync();
        Assert.Equal(200, await browser.GotoAsync(url));
        var listed = await browser.TextAsync("[...document.querySelectorAll('td[data-resource]')].map(c => c.getAttribute('data-resource') + '=' + c.textContent).sort().join('\\n')");
        Assert.Equal(string.Join('\n', printed), listed);
        Assert.All(printed, p => Assert.EndsWith("=Completed", p, StringComparison.Ordinal));
        Assert.Contains("KafkaRestore/default/pitr-restore=Completed", printed);
        Assert.Contains("KafkaBackup/kafka-backup/orders-nightly=Completed", printed);
        Assert.Contains("KafkaRestoreDrill/kafka-backup/weekly-orders-drill=Completed", printed);
        await browser.ScreenshotAsync(StatusPageBrowser.Screenshot("status-demo.png"));
        Assert.Empty(browser.Errors);

        Assert.Equal(0, demo.Stop(TimeSpan.FromSeconds(60), "INT"));
        Assert.Contains("kafka-restored demo: stopped", demo.StdOut, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"status page: (?<url>http://127\.0\.0\.1:\d+/)")]
    private static partial Regex PageUrl();

    [GeneratedRegex(@"^  (?<kind>Kafka[A-Za-z]+) +(?<id>[a-z0-9-]+/[a-z0-9-]+) +(?<phase>[A-Za-z]+) ", RegexOptions.Multiline)]
    private static partial Regex PrintedResource();
}
