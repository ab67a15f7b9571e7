using System.Net;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Live;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// The status page over a real Kestrel socket, fed records the reconciler cannot produce (validation keeps HTML out
/// of names): every value is still encoded, a kind this branch does not serve gets its own section, and a
/// listener without the page's source serves no page.
/// </summary>
public sealed class StatusPageRenderingTests : IAsyncLifetime
{
    private const string Evil = "<script>alert(1)</script>";

    // No '/' (a URL path segment could not carry it back): names never hold one.
    private const string EvilName = "<img src=x onerror=alert(1)>";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private static readonly ResourceId Restore = new("KafkaRestore", "ns", EvilName);
    private static readonly ResourceId Backup = new("KafkaBackup", "ns", "nightly");
    private static readonly ResourceId Drill = new(ResourceKinds.KafkaRestoreDrill, "ns", "weekly");

    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _time = new(Now);
    private HttpEndpointService _service = null!;

    public async Task InitializeAsync()
    {
        var failed = new KafkaRestoreStatus
        {
            Phase = ResourcePhase.Failed,
            Conditions = new([new Condition(ConditionTypes.Ready, ConditionStatus.False, "Boom" + Evil, "message " + Evil, Now)]),
        };
        var records = new List<ResourceRecord>
        {
            new() { Id = Restore, SpecHash = "h", Status = failed, CreatedAt = Now, SourceFile = "restores/" + Evil + ".yaml" },
            new() { Id = Backup, SpecHash = "h", Status = new UnservedKindStatus { Phase = ResourcePhase.Completed, CompletionTime = Now.AddMinutes(-90) }, CreatedAt = Now },
            new() { Id = Drill, SpecHash = "h", Status = DrillRuns(), CreatedAt = Now },
        };
        var live = new LiveRun(Restore, 1, 1, "Restoring", 5, 10, 50, 100, 2.5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), Now,
            [new LivePartition("topic" + Evil, 0, 5, 10, 50, 100, 2.5, TimeSpan.FromSeconds(2))]);
        var commit = new StatusCommit(new string('a', 40), Now, "subject " + Evil, ["status/x.yaml"]);
        var page = new StatusPageSource(() => records, () => [live], () => [commit], _ => commit,
            _ => [new StatusTransition(commit.Sha, Now, "Failed", "Why" + Evil, "msg " + Evil, 1, Now.AddSeconds(-30), Now)], _time,
            r => r.Id == Drill ? TimeSpan.FromMinutes(5) : null);
        _service = new HttpEndpointService("http://127.0.0.1:0",
            new DaemonEndpoints(() => new HealthReport(true, new Dictionary<string, object?>()), () => [], () => { }, () => null, page), NullLoggerFactory.Instance);
        await _service.StartAsync(CancellationToken.None);
        _http.BaseAddress = new Uri(_service.BoundAddress!);
    }

    public async Task DisposeAsync()
    {
        await _service.StopAsync(CancellationToken.None);
        await _service.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Every_value_renders_as_text_on_both_pages()
    {
        var overview = await _http.GetStringAsync("/");
        var resource = await _http.GetStringAsync(PageFormat.ResourceUrl(Restore));
        foreach (var html in new[] { overview, resource })
        {
            Assert.DoesNotContain(Evil, html, StringComparison.Ordinal);
            Assert.DoesNotContain(EvilName, html, StringComparison.Ordinal);
            Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
            // Positive control: the hostile values are on the page, as text (the partition's topic among them).
            Assert.Contains("topic&lt;script&gt;", html, StringComparison.Ordinal);
        }
        Assert.Contains("subject &lt;script&gt;", overview, StringComparison.Ordinal);
        Assert.Contains("<strong class=\"reason\">Boom&lt;script&gt;", resource, StringComparison.Ordinal);
        Assert.Contains("msg &lt;script&gt;", resource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_kind_the_page_does_not_know_gets_its_own_section_with_the_age_of_its_newest_completion()
    {
        var overview = await _http.GetStringAsync("/");
        Assert.Contains("<h2>KafkaBackup</h2>", overview, StringComparison.Ordinal);
        Assert.Contains("<th>Newest backup age (RPO now)</th>", overview, StringComparison.Ordinal);
        Assert.Contains("<td>1h 30m ago</td>", overview, StringComparison.Ordinal);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Contains("<td>2h 30m ago</td>", await _http.GetStringAsync("/"), StringComparison.Ordinal);
    }

    // Newest first, as the status file keeps them: a slow restore (rto missed), a pass, and a run that never restored.
    private static KafkaRestoreDrillStatus DrillRuns() => new()
    {
        Phase = ResourcePhase.Failed,
        LastRuns = new(
        [
            new DrillRunStatus { CompletionTime = Now.AddHours(-1), Result = "Failed", Reason = "RtoMissed", RestoreSeconds = 400 },
            new DrillRunStatus { CompletionTime = Now.AddHours(-2), Result = "Passed", Reason = "DrillPassed", RestoreSeconds = 12.5 },
            new DrillRunStatus { CompletionTime = Now.AddHours(-3), Result = "Failed", Reason = "CorruptSegment" },
        ]),
    };

    [Fact]
    public async Task A_drills_chart_plots_the_restore_time_of_each_kept_run_with_failures_marked_against_its_rto()
    {
        var page = await _http.GetStringAsync(PageFormat.ResourceUrl(Drill));
        var data = System.Text.RegularExpressions.Regex.Match(page, "data-runs=\"([^\"]*)\"").Groups[1].Value;
        var runs = System.Text.Json.JsonDocument.Parse(WebUtility.HtmlDecode(data)).RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("at").GetInt64(), r.GetProperty("seconds").ValueKind == System.Text.Json.JsonValueKind.Null ? (double?)null : r.GetProperty("seconds").GetDouble(),
                r.GetProperty("failed").GetBoolean())).ToList();
        // Oldest first, one point per run (not the one phase change the Git history gives every resource here).
        Assert.Equal([(Now.AddHours(-3).ToUnixTimeSeconds(), null, true), (Now.AddHours(-2).ToUnixTimeSeconds(), 12.5, false),
            (Now.AddHours(-1).ToUnixTimeSeconds(), 400, true)], runs);
        Assert.Contains("data-objective=\"300\"", page, StringComparison.Ordinal);
        Assert.Contains("<h2>Restore time per run (RTO trend)</h2>", page, StringComparison.Ordinal);
        Assert.Contains("<p>Objective (rto): 5m 0s</p>", page, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"failed\"><td>2026-12-07 11:00:00Z</td><td>Failed (RtoMissed)</td><td>6m 40s</td>", page, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"ok\"><td>2026-12-07 10:00:00Z</td><td>Passed</td><td>12.5s</td>", page, StringComparison.Ordinal);
        Assert.Contains("<td>Failed (CorruptSegment)</td><td>-</td>", page, StringComparison.Ordinal);
        // Positive control: another kind with the same Git history gets no objective.
        Assert.DoesNotContain("data-objective", await _http.GetStringAsync(PageFormat.ResourceUrl(Restore)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_resource_is_404_and_says_so_as_text()
    {
        using var r = await _http.GetAsync("/resources/KafkaRestore/ns/" + Uri.EscapeDataString(Evil));
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.StartsWith("text/plain", r.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        using var known = await _http.GetAsync(PageFormat.ResourceUrl(Restore));
        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
    }

    [Fact]
    public async Task Without_the_page_source_the_listener_serves_no_page_and_stays_read_only()
    {
        await using var bare = new HttpEndpointService("http://127.0.0.1:0",
            new DaemonEndpoints(() => new HealthReport(true, new Dictionary<string, object?>()), () => [], () => { }, () => null), NullLoggerFactory.Instance);
        await bare.StartAsync(CancellationToken.None);
        using var http = new HttpClient { BaseAddress = new Uri(bare.BoundAddress!) };
        using var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        using var post = await http.PostAsync("/", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        using var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await bare.StopAsync(CancellationToken.None);
    }
}
