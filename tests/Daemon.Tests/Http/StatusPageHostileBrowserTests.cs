using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// Committed HTML in headless Chromium against the real daemon: a topic name and a human's status message holding
/// markup and 5,000 characters show as text, add no element, run nothing and fit the page's width; the same text as
/// markup on an unprotected page does run and overflow (the positive control). No Kafka is reached: the restore is
/// invalid (its topic name), so no broker is needed and this class runs beside <see cref="StatusPageBrowserTests"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StatusPageHostileBrowserTests
{
    private const string Namespace = StatusPageBrowser.Namespace;
    private const string ScriptPayload = "<script>window.krInjected='script'</script>";
    private const string ImagePayload = "<img src=x onerror=window.krInjected='image'>";

    // Never dialled: validation rejects the restore before any I/O.
    private const string Unreachable = "127.0.0.1:9";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task Committed_html_and_long_text_render_as_text_and_no_script_of_theirs_runs()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-browser-hostile");
        var backup = await OrdersBackup.WriteAsync(dir.Combine("backups"), 1, 10);
        var longText = new string('x', 5000);
        remote.HumanCommit("add a restore whose topic and status are HTML", new Dictionary<string, string?>
        {
            ["restores/hostile.yaml"] = backup.RestoreYaml("hostile", "\"" + ScriptPayload + "\"", Unreachable, ns: Namespace),
            // A human's status file: its message reaches the resource page through the Git history.
            [$"status/kafkarestore/{Namespace}/hostile.yaml"] =
                $"status:\n  phase: Failed\n  conditions:\n  - type: Ready\n    reason: Hand\n    message: \"{ImagePayload}{longText}\"\n",
        });
        using var daemon = StatusPageBrowser.StartDaemon(remote, dir, out var url);
        await daemon.WaitForAsync("the hostile restore's own status commit", () => Task.FromResult(
            remote.RemoteGit("log", "--format=%an", remote.Branch, "--", $"status/kafkarestore/{Namespace}/hostile.yaml").Contains("kafka-restored", StringComparison.Ordinal) ? "" : null), Patience);
        using var browser = await HeadlessBrowser.StartAsync();

        foreach (var (path, shot, payloads) in new[]
        {
            ("/", "status-hostile-overview.png", new[] { ScriptPayload }),
            (StatusPageBrowser.ResourcePath("KafkaRestore", "hostile"), "status-hostile-resource.png", new[] { ScriptPayload, ImagePayload, longText[..1000] }),
        })
        {
            Assert.Equal(200, await browser.GotoAsync(url + path));
            var page = await InjectionProbeAsync(browser, payloads);
            Assert.Equal(("none", 0, 0, "all shown as text", "fits"), page);
            await browser.ScreenshotAsync(StatusPageBrowser.Screenshot(shot));
        }
        Assert.Empty(browser.Errors);

        // Positive control: the same text as markup, on a page without the daemon's encoding or policy, does run and does overflow.
        await browser.SetContentAsync("<p>" + ScriptPayload + "</p><p>" + longText + "</p>");
        Assert.Equal(("script", 0, 1, "not all shown as text", "overflows"), await InjectionProbeAsync(browser, [ScriptPayload]));
        await browser.SetContentAsync("<p>" + ImagePayload + "</p>");
        await browser.WaitForTextAsync("the image payload to run", "window.krInjected ?? null", v => v == "image", TimeSpan.FromSeconds(30));
        Assert.Equal(0, daemon.Stop(TimeSpan.FromSeconds(60)));
    }

    /// <summary>
    /// What a page made of the payloads: the value they try to set (or none), elements they would add (images,
    /// inline scripts), whether each shows as literal text, and whether the page fits its width.
    /// </summary>
    private static async Task<(string Injected, int Images, int InlineScripts, string AsText, string Width)> InjectionProbeAsync(HeadlessBrowser browser, string[] payloads)
    {
        var texts = System.Text.Json.JsonSerializer.Serialize(payloads);
        var probe = await browser.EvalAsync($$"""
            ({
              injected: window.krInjected ?? 'none',
              images: document.querySelectorAll('img').length,
              inlineScripts: [...document.scripts].filter(s => !(s.getAttribute('src') || '').startsWith('/assets/')).length,
              asText: {{texts}}.every(t => document.body.textContent.includes(t)) ? 'all shown as text' : 'not all shown as text',
              width: document.documentElement.scrollWidth <= window.innerWidth ? 'fits' : 'overflows'
            })
            """);
        return (probe!["injected"]!.GetValue<string>(), probe["images"]!.GetValue<int>(), probe["inlineScripts"]!.GetValue<int>(),
            probe["asText"]!.GetValue<string>(), probe["width"]!.GetValue<string>());
    }
}
