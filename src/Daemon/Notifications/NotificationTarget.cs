using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Notifications;

/// <summary>
/// One entry of the host settings' <c>Notifications</c> list: where phase changes are sent
/// (<see cref="Provider"/> webhook, slack or alertmanager) and which ones (filters; an empty filter
/// lets everything through). Webhook and Slack URLs carry their credentials, so they are read from
/// <see cref="UrlFile"/>, never written in the settings.
/// </summary>
public sealed class NotificationTarget
{
    /// <summary>JSON body signed with HMAC-SHA256 (X-Hub-Signature-256), like our own webhook.</summary>
    public const string Webhook = "webhook";

    /// <summary>Slack incoming-webhook payload.</summary>
    public const string Slack = "slack";

    /// <summary>Alertmanager's v2 API (POST /api/v2/alerts).</summary>
    public const string Alertmanager = "alertmanager";

    /// <summary>The severities a phase change has (<see cref="NotificationSeverity"/>).</summary>
    public static IReadOnlyList<string> SeverityNames { get; } = [NotificationSeverity.Info, NotificationSeverity.Warning, NotificationSeverity.Critical];

    /// <summary>webhook, slack or alertmanager.</summary>
    public string Provider { get; set; } = "";

    /// <summary>Alertmanager's base URL (e.g. http://127.0.0.1:9093); not for webhook or slack, whose URLs are secrets.</summary>
    public string? Url { get; set; }

    /// <summary>A secret file holding the URL (mode 0600); required for webhook and slack.</summary>
    public string? UrlFile { get; set; }

    /// <summary>A secret file holding the HMAC key the webhook body is signed with; required for webhook.</summary>
    public string? SecretFile { get; set; }

    /// <summary>Kinds sent (e.g. KafkaRestore); empty: all.</summary>
    public IList<string> Kinds { get; init; } = [];

    /// <summary>Namespace patterns sent (<c>*</c> matches any run of characters, as in the policy); empty: all.</summary>
    public IList<string> Namespaces { get; init; } = [];

    /// <summary>Phases sent (Pending, Running, Completed, Failed); empty: all.</summary>
    public IList<string> Phases { get; init; } = [];

    /// <summary>Severities sent (info, warning, critical); empty: all.</summary>
    public IList<string> Severities { get; init; } = [];

    /// <summary>True when <paramref name="change"/> of <paramref name="severity"/> passes every filter.</summary>
    public bool Accepts(PhaseChange change, string severity) =>
        (Kinds.Count == 0 || Kinds.Contains(change.Id.Kind, StringComparer.OrdinalIgnoreCase))
        && (Namespaces.Count == 0 || PolicyPattern.AnyMatches(Namespaces, change.Id.Namespace))
        && (Phases.Count == 0 || Phases.Contains(change.To.ToString(), StringComparer.OrdinalIgnoreCase))
        && (Severities.Count == 0 || Severities.Contains(severity, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every problem of the entry at <paramref name="key"/> (e.g. <c>Notifications:0</c>), each naming the field and what to write.</summary>
    public IReadOnlyList<string> Validate(string key)
    {
        var errors = new List<string>();
        if (Provider is not (Webhook or Slack or Alertmanager))
            errors.Add($"{key}:Provider is '{Provider}'; write \"{Webhook}\", \"{Slack}\" or \"{Alertmanager}\".");
        if (Provider is Webhook or Slack && Url is not null)
            errors.Add($"{key}:Url is set, but a {Provider} URL is a credential: write it to a file (mode 0600) and set {key}:UrlFile instead.");
        if ((Url is null) == (UrlFile is null) && Provider is Alertmanager)
            errors.Add($"{key}: set one of Url (e.g. \"http://127.0.0.1:9093\") and UrlFile for Alertmanager.");
        if (UrlFile is null && Provider is Webhook or Slack)
            errors.Add($"{key}:UrlFile is required for {Provider}: a file (mode 0600) holding the URL to post to.");
        if (Url is { } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            errors.Add($"{key}:Url is '{url}'; write an http:// or https:// URL.");
        foreach (var (name, file) in new[] { ("UrlFile", UrlFile), ("SecretFile", SecretFile) })
        {
            if (file is not null && !File.Exists(file)) errors.Add($"{key}:{name} {file} does not exist; create it (mode 0600) or change {key}:{name}.");
        }
        if (Provider is Webhook && SecretFile is null)
            errors.Add($"{key}:SecretFile is required for webhook: a file (mode 0600) holding the key the body is signed with (X-Hub-Signature-256).");
        if (Provider is not Webhook && SecretFile is not null)
            errors.Add($"{key}:SecretFile is only read for webhook; remove it.");
        Check(errors, key, "Kinds", Kinds, ResourceKinds.All);
        Check(errors, key, "Phases", Phases, Enum.GetNames<ResourcePhase>());
        Check(errors, key, "Severities", Severities, SeverityNames);
        for (var i = 0; i < Namespaces.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Namespaces[i])) errors.Add($"{key}:Namespaces:{i} is empty; remove it or write a namespace pattern (* matches any run of characters).");
        }
        return errors;
    }

    private static void Check(List<string> errors, string key, string field, IList<string> values, IReadOnlyList<string> known)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (!known.Contains(values[i], StringComparer.OrdinalIgnoreCase))
                errors.Add($"{key}:{field}:{i} is '{values[i]}'; write one of {string.Join(", ", known)}.");
        }
    }
}
