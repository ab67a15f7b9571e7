
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// The daemon's small HTTP surface on its own Kestrel server: GET /healthz, GET /metrics
/// (Prometheus text), POST /hooks/git (HMAC-SHA256 signed, triggers an immediate cycle), and the read-only
/// status page (<see cref="StatusPageEndpoints"/>) when the endpoints carry its source.
/// </summary>
public sealed class HttpEndpointService(string listenUrl, DaemonEndpoints endpoints, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    /// <summary>Largest webhook body accepted; pushes' payloads are far smaller.</summary>
    public const int MaxWebhookBytes = 1024 * 1024;

    /// <summary>The only path that takes a POST; everything else is read-only.</summary>
    public const string WebhookPath = "/hooks/git";

    private WebApplication? _app;

    /// <summary>The address actually bound (resolves port 0), available after start.</summary>
    public string? BoundAddress { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is null) await BindAsync(cancellationToken);
    }

    /// <summary>
    /// Binds the listener and starts serving; called by <c>run</c> before the host starts anything else, so
    /// that an address in use ends the daemon before any work.
    /// </summary>
    /// <exception cref="ListenerBindException">The address cannot be bound.</exception>
    public async Task BindAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(new WithoutInnerHostLogs(loggers));
        builder.WebHost.UseUrls(listenUrl);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxWebhookBytes);
        var app = builder.Build();
        var log = loggers.CreateLogger<HttpEndpointService>();
        StatusPageEndpoints.UseReadOnly(app, WebhookPath);
        if (endpoints.StatusPage is { } page) StatusPageEndpoints.Map(app, page);

        app.MapGet("/healthz", () =>
        {
            var report = endpoints.Health();
            return Results.Json(new Dictionary<string, object?>(report.Details) { ["status"] = report.Healthy ? "ok" : "unhealthy" },
                statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", () => Results.Text(PrometheusText.Render(endpoints.Metrics()), PrometheusText.ContentType));
        app.MapPost(WebhookPath, async (HttpContext ctx) =>
        {
            var secret = endpoints.WebhookSecret();
            if (string.IsNullOrEmpty(secret))
                return Results.Text("webhook disabled: configure webhookSecretFile\n", statusCode: StatusCodes.Status404NotFound);
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body, ctx.RequestAborted);
            if (!WebhookSignature.IsValid(secret, body.GetBuffer().AsSpan(0, (int)body.Length), ctx.Request.Headers[WebhookSignature.Header]))
            {
                log.LogWarning("rejected webhook from {Remote}: missing or bad {Header}", ctx.Connection.RemoteIpAddress, WebhookSignature.Header);
                return Results.Text("bad signature\n", statusCode: StatusCodes.Status401Unauthorized);
            }
            endpoints.TriggerCycle();
            return Results.Text("cycle triggered\n", statusCode: StatusCodes.Status202Accepted);
        });

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            // Kestrel wraps the socket error; its innermost message says why ("Address already in use").
            var cause = e.InnerException?.Message ?? e.Message;
            throw new ListenerBindException(
                $"HttpListen {listenUrl} cannot be bound: {cause}; choose a free address (--http-listen http://127.0.0.1:PORT) or set HttpListen to off.", e);
        }
        _app = app;
        BoundAddress = app.Urls.FirstOrDefault();
        log.LogInformation("HTTP endpoints listening on {Address} (/, /healthz, /metrics, /hooks/git)", BoundAddress);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null) await _app.StopAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }


    /// <summary>
    /// The daemon's loggers for Kestrel, without the inner web host's own lifecycle messages: a failed bind is
    /// reported once, as <see cref="ListenerBindException"/>, not again with a stack trace.
    /// </summary>
    private sealed class WithoutInnerHostLogs(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal) ? NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The daemon owns the wrapped factory.
        public void Dispose()
        {
        }
    }
}
