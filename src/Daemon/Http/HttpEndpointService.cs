
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Http;

/// <summary>
/// The daemon's small HTTP surface on its own Kestrel server: GET /healthz, GET /metrics
/// (Prometheus text), POST /hooks/git (HMAC-SHA256 signed, triggers an immediate cycle).
/// </summary>
public sealed class HttpEndpointService(string listenUrl, DaemonEndpoints endpoints, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    /// <summary>Largest webhook body accepted; pushes' payloads are far smaller.</summary>
    public const int MaxWebhookBytes = 1024 * 1024;

    private WebApplication? _app;

    /// <summary>The address actually bound (resolves port 0), available after start.</summary>
    public string? BoundAddress { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseUrls(listenUrl);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = MaxWebhookBytes);
        var app = builder.Build();
        var log = loggers.CreateLogger<HttpEndpointService>();

        app.MapGet("/healthz", () =>
        {
            var report = endpoints.Health();
            return Results.Json(new Dictionary<string, object?>(report.Details) { ["status"] = report.Healthy ? "ok" : "unhealthy" },
                statusCode: report.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        app.MapGet("/metrics", () => Results.Text(PrometheusText.Render(endpoints.Metrics()), PrometheusText.ContentType));
        app.MapPost("/hooks/git", async (HttpContext ctx) =>
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

        await app.StartAsync(cancellationToken);
        _app = app;
        BoundAddress = app.Urls.FirstOrDefault();
        log.LogInformation("HTTP endpoints listening on {Address} (/healthz, /metrics, /hooks/git)", BoundAddress);
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

}
