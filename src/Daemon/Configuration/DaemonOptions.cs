using KafkaRestored.Daemon.Notifications;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>
/// Settings of the running daemon beyond the reconciler's: the HTTP surface and the watchdog.
/// Bound from the same sources as <see cref="KafkaRestored.Reconciler.ReconcilerOptions"/>.
/// </summary>
public sealed class DaemonOptions
{
    /// <summary>Default listen address: loopback only.</summary>
    public const string DefaultHttpListen = "http://127.0.0.1:9187";

    /// <summary>URL the HTTP endpoints listen on; "off" (or empty) disables them.</summary>
    public string HttpListen { get; set; } = DefaultHttpListen;

    /// <summary>File holding the webhook's HMAC shared secret; unset disables POST /hooks/git.
    /// Under systemd defaults to $CREDENTIALS_DIRECTORY/webhook-secret when that credential exists.</summary>
    public string? WebhookSecretFile { get; set; }

    /// <summary>Longest time without a finished reconcile cycle that still counts as progress
    /// (health and watchdog); default: twice the poll interval plus the fetch timeout.</summary>
    public TimeSpan? StallWindow { get; set; }

    /// <summary>Lowest level logged (Trace, Debug, Information, Warning, Error, Critical); Debug and Trace also show the web server's own logs.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>Where phase changes are sent (webhook, Slack, Alertmanager), each with its filters; empty: nowhere.</summary>
    public IList<NotificationTarget> Notifications { get; init; } = [];

    /// <summary>True when the HTTP endpoints are wanted.</summary>
    public bool HttpEnabled => !string.IsNullOrWhiteSpace(HttpListen) && !HttpListen.Equals("off", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every problem with these settings, each naming the setting.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (HttpEnabled && (!Uri.TryCreate(HttpListen, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/"))
            errors.Add($"HttpListen must be an http://HOST:PORT URL or 'off', got '{HttpListen}'.");
        if (!Enum.IsDefined(LogLevel) || LogLevel == LogLevel.None)
            errors.Add($"LogLevel must be one of Trace, Debug, Information, Warning, Error, Critical, got '{LogLevel}'.");
        if (StallWindow is { } w && w <= TimeSpan.Zero) errors.Add("StallWindow must be positive (e.g. 00:05:00).");
        if (WebhookSecretFile is { } f && !File.Exists(f)) errors.Add($"WebhookSecretFile {f} does not exist; create it (mode 0600) or unset WebhookSecretFile.");
        for (var i = 0; i < Notifications.Count; i++) errors.AddRange(Notifications[i].Validate($"Notifications:{i}"));
        return errors;
    }
}
