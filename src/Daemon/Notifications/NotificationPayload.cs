using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.Execution;

namespace KafkaRestored.Daemon.Notifications;

/// <summary>
/// The HTTP request each provider gets for a phase change: a versioned JSON document signed like our
/// own webhook, a Slack incoming-webhook message, or an Alertmanager v2 alert. Every field comes from
/// the resource's committed status, so no secret can be in it.
/// </summary>
public static class NotificationPayload
{
    /// <summary>Version of the webhook document (field <c>version</c>); raised only for an incompatible change.</summary>
    public const int WebhookVersion = 1;

    /// <summary>Name of the alert sent to Alertmanager.</summary>
    public const string AlertName = "KafkaRestoredPhaseChange";

    /// <summary>The request for <paramref name="provider"/> to <paramref name="url"/>; <paramref name="secret"/> signs a webhook body.</summary>
    public static HttpRequestMessage Request(string provider, Uri url, string? secret, PhaseChange change)
    {
        var severity = NotificationSeverity.Of(change);
        (Uri Target, JsonNode Body) chosen = provider switch
        {
            NotificationTarget.Slack => (url, SlackBody(change, severity)),
            NotificationTarget.Alertmanager => (new Uri(url, url.AbsolutePath.TrimEnd('/') + "/api/v2/alerts"), AlertBody(change, severity)),
            _ => (url, WebhookBody(change, severity)),
        };
        var (target, body) = chosen;
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = content };
        request.Headers.UserAgent.ParseAdd("kafka-restored");
        if (provider == NotificationTarget.Webhook && secret is not null)
            request.Headers.TryAddWithoutValidation(WebhookSignature.Header, WebhookSignature.Compute(secret, bytes));
        return request;
    }

    /// <summary>One line for people: "KafkaRestore team-a/orders: Running → Failed (ClusterUnreachable)".</summary>
    public static string Summary(PhaseChange change) =>
        $"{change.Id.Kind} {change.Id.Namespace}/{change.Id.Name}: {change.From?.ToString() ?? "new"} → {change.To}" + (change.Reason is { } r ? $" ({r})" : "");

    private static JsonObject WebhookBody(PhaseChange change, string severity) => new()
    {
        ["version"] = WebhookVersion,
        ["event"] = "phaseChanged",
        ["kind"] = change.Id.Kind,
        ["namespace"] = change.Id.Namespace,
        ["name"] = change.Id.Name,
        ["previousPhase"] = change.From?.ToString(),
        ["phase"] = change.To.ToString(),
        ["severity"] = severity,
        ["reason"] = change.Reason,
        ["message"] = change.Message,
        ["attempts"] = change.Attempts,
        ["generation"] = change.Generation,
        ["sourceFile"] = change.SourceFile,
        ["time"] = Time(change.At),
    };

    private static JsonObject SlackBody(PhaseChange change, string severity)
    {
        var icon = severity switch { NotificationSeverity.Critical => ":red_circle:", NotificationSeverity.Warning => ":warning:", _ => ":large_blue_circle:" };
        var summary = $"{icon} {Escape(Summary(change))}";
        var detail = $"*{Escape(Summary(change))}*\nseverity {severity}, attempt {change.Attempts}, generation {change.Generation}" +
            (change.SourceFile is { } f ? $", `{Escape(f)}`" : "") + (change.Message is { Length: > 0 } m ? $"\n{Escape(m)}" : "");
        return new JsonObject
        {
            // text is the fallback shown in notifications; blocks carry the formatted message.
            ["text"] = summary,
            ["blocks"] = new JsonArray(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = detail.Length > 2900 ? detail[..2900] + "…" : detail },
            }),
        };
    }

    private static JsonArray AlertBody(PhaseChange change, string severity) => new(new JsonObject
    {
        ["labels"] = new JsonObject
        {
            ["alertname"] = AlertName,
            ["kind"] = change.Id.Kind,
            ["namespace"] = change.Id.Namespace,
            ["name"] = change.Id.Name,
            ["phase"] = change.To.ToString(),
            ["severity"] = severity,
        },
        ["annotations"] = new JsonObject
        {
            ["summary"] = Summary(change),
            ["description"] = change.Message ?? "",
            ["reason"] = change.Reason ?? "",
            ["sourceFile"] = change.SourceFile ?? "",
        },
        ["startsAt"] = Time(change.At),
    });

    private static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Slack's mrkdwn control characters, escaped as its documentation asks.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
