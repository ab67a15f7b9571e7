using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using KafkaRestored.Daemon.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>The daemon's HTTP surface over a real Kestrel socket on loopback.</summary>
public sealed partial class HttpEndpointTests : IAsyncLifetime
{
    private const string Secret = "webhook-shared-secret-7f3a";

    // GitHub's documented test vector ("Testing the webhook payload validation" in
    // docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries): computed by GitHub, not by us.
    private const string GitHubSecret = "It's a Secret to Everybody";
    private const string GitHubPayload = "Hello, World!";
    private const string GitHubSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private readonly HttpClient _http = new();
    private string? _secret = Secret;
    private HttpEndpointService _service = null!;
    private int _triggers;
    private bool _healthy = true;

    public async Task InitializeAsync()
    {
        var endpoints = new DaemonEndpoints(
            Health: () => new HealthReport(_healthy, new Dictionary<string, object?> { ["lastSyncAge"] = 3 }),
            Metrics: () =>
            [
                MetricFamily.Single("kafka_restored_cycles_total", "counter", "Reconcile cycles run.", 42),
                new MetricFamily("kafka_restored_resources", "gauge", "Resources by kind and phase.",
                [
                    new MetricSample([new("kind", "KafkaRestore"), new("phase", "Running")], 2),
                    new MetricSample([new("kind", "KafkaRestore"), new("phase", "Completed \"ok\"")], 5),
                ]),
            ],
            TriggerCycle: () => Interlocked.Increment(ref _triggers),
            WebhookSecret: () => _secret);
        _service = new HttpEndpointService("http://127.0.0.1:0", endpoints, NullLoggerFactory.Instance);
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
    public void Listens_on_the_configured_address_not_a_default()
    {
        // Configured as http://127.0.0.1:0; Kestrel's own default would be localhost:5000.
        var bound = new Uri(_service.BoundAddress!);
        Assert.Equal(("http", "127.0.0.1"), (bound.Scheme, bound.Host));
        Assert.NotEqual(5000, bound.Port);
    }

    [Fact]
    public async Task Metrics_parse_as_prometheus_text()
    {
        using var response = await _http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var text = await response.Content.ReadAsStringAsync();
        var samples = 0;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.Matches(CommentLine(), line);
                continue;
            }
            Assert.Matches(SampleLine(), line);
            samples++;
        }
        Assert.Equal(3, samples);
        Assert.Contains("kafka_restored_resources{kind=\"KafkaRestore\",phase=\"Completed \\\"ok\\\"\"} 5", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Webhook_with_a_bad_signature_is_rejected_and_triggers_nothing()
    {
        var body = "{\"ref\":\"refs/heads/main\"}"u8.ToArray();
        using var bad = new ByteArrayContent(body);
        bad.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute("wrong-secret", body));
        using var r1 = await _http.PostAsync("/hooks/git", bad);
        using var none = new ByteArrayContent(body);
        using var r2 = await _http.PostAsync("/hooks/git", none);
        Assert.Equal(HttpStatusCode.Unauthorized, r1.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, r2.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _triggers));
    }

    [Fact]
    public async Task Webhook_with_a_good_signature_triggers_a_cycle()
    {
        var body = Encoding.UTF8.GetBytes("{\"ref\":\"refs/heads/main\"}");
        using var good = new ByteArrayContent(body);
        good.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(Secret, body));
        using var response = await _http.PostAsync("/hooks/git", good);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("cycle triggered\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, Volatile.Read(ref _triggers));
    }

    [Theory]
    [InlineData("sha512=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("SHA256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")]
    [InlineData("sha256=not-hex")]
    public async Task Webhook_with_the_right_digest_under_another_prefix_or_not_hex_is_rejected(string header)
    {
        _secret = GitHubSecret;
        using var content = new StringContent(GitHubPayload);
        content.Headers.Add(WebhookSignature.Header, header);
        using var response = await _http.PostAsync("/hooks/git", content);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("bad signature\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, Volatile.Read(ref _triggers));
    }

    [Fact]
    public async Task Webhook_larger_than_the_limit_is_refused_even_when_signed()
    {
        var body = new byte[HttpEndpointService.MaxWebhookBytes + 1];
        Array.Fill(body, (byte)'x');
        using var big = new ByteArrayContent(body);
        big.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(Secret, body));
        using var response = await _http.PostAsync("/hooks/git", big);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _triggers));
    }

    [Fact]
    public async Task Webhook_accepts_GitHubs_documented_example_and_refuses_it_for_another_payload()
    {
        _secret = GitHubSecret;
        using var changed = new StringContent("Hello, World?");
        changed.Headers.Add(WebhookSignature.Header, GitHubSignature);
        using var refused = await _http.PostAsync("/hooks/git", changed);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(0, Volatile.Read(ref _triggers));

        using var example = new ByteArrayContent(Encoding.UTF8.GetBytes(GitHubPayload));
        example.Headers.Add(WebhookSignature.Header, GitHubSignature);
        using var accepted = await _http.PostAsync("/hooks/git", example);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(1, Volatile.Read(ref _triggers));
        // What a test sender signs with must agree with GitHub too, or the other tests prove nothing.
        Assert.Equal(GitHubSignature, WebhookSignature.Compute(GitHubSecret, Encoding.UTF8.GetBytes(GitHubPayload)));
    }

    [Fact]
    public async Task Webhook_without_a_configured_secret_answers_404_and_triggers_nothing()
    {
        _secret = null;
        using var signed = new ByteArrayContent(Encoding.UTF8.GetBytes(GitHubPayload));
        signed.Headers.Add(WebhookSignature.Header, GitHubSignature);
        using var disabled = await _http.PostAsync("/hooks/git", signed);
        Assert.Equal(HttpStatusCode.NotFound, disabled.StatusCode);
        Assert.Contains("webhook disabled", await disabled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref _triggers));

        // Positive control: the same delivery is accepted once the secret is configured.
        _secret = GitHubSecret;
        using var again = new ByteArrayContent(Encoding.UTF8.GetBytes(GitHubPayload));
        again.Headers.Add(WebhookSignature.Header, GitHubSignature);
        using var enabled = await _http.PostAsync("/hooks/git", again);
        Assert.Equal(HttpStatusCode.Accepted, enabled.StatusCode);
        Assert.Equal(1, Volatile.Read(ref _triggers));
    }

    [Fact]
    public async Task Healthz_reports_503_when_the_loop_is_stalled()
    {
        using var ok = await _http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Contains("\"status\":\"ok\"", await ok.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        _healthy = false;
        using var stalled = await _http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stalled.StatusCode);
        Assert.Contains("\"status\":\"unhealthy\"", await stalled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$")]
    private static partial Regex CommentLine();

    // name{label="value",...} value — label values may hold escaped quotes.
    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*=""(\\.|[^""\\])*"",?)*\})? [-+]?([0-9.eE+-]+|Inf|NaN)$")]
    private static partial Regex SampleLine();
}
