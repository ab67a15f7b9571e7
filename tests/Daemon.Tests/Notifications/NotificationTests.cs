using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KafkaRestored.Daemon.Notifications;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Notifications;

/// <summary>
/// Issue #17, alerts through the reconcile loop to real receivers: a webhook endpoint that checks the
/// HMAC with its own computation, a Slack-shaped receiver, a real Alertmanager read back through its
/// API; and receivers that are down or never answer, which delay neither a cycle nor the others.
/// </summary>
public sealed class NotificationTests : IDisposable
{
    // Stands for the credential a webhook or Slack URL carries: it must reach no log line.
    private const string UrlToken = "T0K3N-in-the-url-9f2c";
    private const string SigningKey = "signing-key-5d1e";
    private static readonly NotifierTuning Fast = NotifierTuning.Default with { RetryBaseDelay = TimeSpan.FromMilliseconds(20), RetryMaxDelay = TimeSpan.FromMilliseconds(200) };
    private readonly GitRemote _remote = new();
    private readonly ListLogger _log = new();

    public void Dispose() => _remote.Dispose();

    private string SecretFile(string name, string content)
    {
        var path = Path.Combine(_remote.Scratch("secrets"), name);
        File.WriteAllText(path, content + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    private NotificationTarget Target(string provider, Uri url, params (string Field, string Value)[] filters)
    {
        var t = new NotificationTarget { Provider = provider };
        if (provider == NotificationTarget.Alertmanager) t.Url = url.ToString();
        else t.UrlFile = SecretFile($"{provider}-{Guid.NewGuid():N}-url", url.ToString());
        if (provider == NotificationTarget.Webhook) t.SecretFile = SecretFile("webhook-key", SigningKey);
        foreach (var (field, value) in filters)
            (field switch { "Phases" => t.Phases, "Severities" => t.Severities, "Kinds" => t.Kinds, _ => t.Namespaces }).Add(value);
        Assert.Empty(t.Validate("Notifications:test"));
        return t;
    }

    private ReconcilerOptions Options(bool allowAll) => new()
    {
        RepositoryUrl = _remote.BarePath,
        Branch = _remote.Branch,
        StateDirectory = _remote.Scratch("state"),
        PollInterval = TimeSpan.FromMilliseconds(50),
        PushRetryDelay = TimeSpan.FromMilliseconds(10),
        Policy = allowAll ? TestPolicy.AllowAll() : null,
    };

    private static JsonElement Json(byte[] body) => JsonDocument.Parse(body).RootElement;

    [AlertmanagerFact]
    public async Task Each_provider_gets_the_phase_changes_its_filters_let_through_signed_shaped_and_readable_back()
    {
        using var alertmanager = new AlertmanagerServer();
        // The first webhook delivery is refused with 503: the notification is retried.
        using var webhook = new HttpReceiver(i => i == 0 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK, "/hooks/" + UrlToken);
        using var slack = new HttpReceiver(path: "/services/T000/B000/" + UrlToken);
        var orders = new OrdersBackup(_remote.Scratch("backups"), 3, 5);
        _remote.HumanCommit("add a restore that cannot reach its cluster", new Dictionary<string, string?>
        {
            ["restores/r.yaml"] = orders.RestoreYaml("r", "t", "127.0.0.1:1", "\n  job:\n    backoffLimit: 0"),
        });
        await using var notifier = Notifier.Start(
        [
            Target(NotificationTarget.Webhook, webhook.Url),
            Target(NotificationTarget.Slack, slack.Url, ("Phases", "Failed")),
            Target(NotificationTarget.Alertmanager, alertmanager.Url, ("Severities", "critical"), ("Namespaces", "kafka-*")),
        ], TimeProvider.System, _log, Fast);
        var options = Options(allowAll: true);
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options);
        await using var loop = ReconcileLoop.Create(options, store, git,
            [new KafkaRestoreRunner { Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(2) } }]);
        loop.PhaseChanged += notifier.Enqueue;

        Assert.False(await loop.RunUntilIdleAsync(CancellationToken.None));

        // Webhook: new → Running (refused once, then delivered again, same body), Running → Failed; every body signed.
        var hooks = await webhook.WaitForAsync(3);
        foreach (var h in hooks)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes(SigningKey)).ComputeHash(h.Body));
            Assert.Equal(expected, h.Headers["X-Hub-Signature-256"]);
            Assert.Equal(("POST", "/hooks/" + UrlToken), (h.Method, h.Path));
        }
        Assert.Equal(hooks[0].Body, hooks[1].Body);
        var (started, failed) = (Json(hooks[1].Body), Json(hooks[2].Body));
        Assert.Equal((JsonValueKind.Null, "Running", "info"), (started.GetProperty("previousPhase").ValueKind, started.GetProperty("phase").GetString(), started.GetProperty("severity").GetString()));
        Assert.Equal((1, "phaseChanged", "KafkaRestore", "kafka-backup", "r"), (failed.GetProperty("version").GetInt32(), failed.GetProperty("event").GetString(),
            failed.GetProperty("kind").GetString(), failed.GetProperty("namespace").GetString(), failed.GetProperty("name").GetString()));
        Assert.Equal(("Running", "Failed", "critical", "ClusterUnreachable", "restores/r.yaml"), (failed.GetProperty("previousPhase").GetString(),
            failed.GetProperty("phase").GetString(), failed.GetProperty("severity").GetString(), failed.GetProperty("reason").GetString(), failed.GetProperty("sourceFile").GetString()));

        // Slack: only the Failed change (the Running one was queued first to the same sender: it would have arrived first), in the incoming-webhook shape.
        var message = Assert.Single(await slack.WaitForAsync(1));
        Assert.StartsWith("application/json", message.Headers["Content-Type"], StringComparison.Ordinal);
        var payload = Json(message.Body);
        Assert.Contains("KafkaRestore kafka-backup/r: Running → Failed (ClusterUnreachable)", payload.GetProperty("text").GetString(), StringComparison.Ordinal);
        var block = Assert.Single(payload.GetProperty("blocks").EnumerateArray());
        Assert.Equal(("section", "mrkdwn"), (block.GetProperty("type").GetString(), block.GetProperty("text").GetProperty("type").GetString()));
        Assert.Contains("ClusterUnreachable", block.GetProperty("text").GetProperty("text").GetString(), StringComparison.Ordinal);

        // Alertmanager holds the critical alert, and only it.
        var alerts = await PollAsync(alertmanager.AlertsAsync, a => a.Contains(NotificationPayload.AlertName, StringComparison.Ordinal));
        var alert = Assert.Single(JsonDocument.Parse(alerts).RootElement.EnumerateArray());
        var labels = alert.GetProperty("labels");
        Assert.Equal((NotificationPayload.AlertName, "KafkaRestore", "kafka-backup", "r", "Failed", "critical"), (labels.GetProperty("alertname").GetString(),
            labels.GetProperty("kind").GetString(), labels.GetProperty("namespace").GetString(), labels.GetProperty("name").GetString(),
            labels.GetProperty("phase").GetString(), labels.GetProperty("severity").GetString()));
        Assert.Equal("active", alert.GetProperty("status").GetProperty("state").GetString());
        Assert.Contains("Running → Failed (ClusterUnreachable)", alert.GetProperty("annotations").GetProperty("summary").GetString(), StringComparison.Ordinal);

        // The retry was logged naming the target by its settings key; no log line and no body carries the URL's credential or the signing key.
        Assert.Contains(_log.Lines, l => l.Contains("Notifications:0 (webhook)", StringComparison.Ordinal) && l.Contains("HTTP 503", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Lines, l => l.Contains(UrlToken, StringComparison.Ordinal) || l.Contains(SigningKey, StringComparison.Ordinal));
        Assert.All(hooks.Concat([message]), r => Assert.DoesNotContain(SigningKey, Encoding.UTF8.GetString(r.Body), StringComparison.Ordinal));
        Assert.Equal((4L, 0L), (notifier.Sent, notifier.Failed));
    }

    [Fact]
    public async Task A_receiver_that_is_down_or_never_answers_delays_neither_a_cycle_nor_the_other_targets()
    {
        using var hanging = new HttpReceiver(_ => null, "/services/T000/B000/" + UrlToken);
        using var working = new HttpReceiver(path: "/hooks/" + UrlToken);
        var closed = new Uri($"http://127.0.0.1:1/hooks/{UrlToken}");
        await using var notifier = Notifier.Start(
        [
            Target(NotificationTarget.Webhook, closed),
            Target(NotificationTarget.Slack, hanging.Url),
            Target(NotificationTarget.Webhook, working.Url),
        ], TimeProvider.System, _log, Fast with { MaxAttempts = 1_000_000, AttemptTimeout = TimeSpan.FromHours(1) });
        // No Policy: the restore is denied and Failed in the cycle itself, without touching any cluster.
        var options = Options(allowAll: false);
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options);
        await using var loop = ReconcileLoop.Create(options, store, git, [new KafkaRestoreRunner()]);
        loop.PhaseChanged += notifier.Enqueue;
        var orders = new OrdersBackup(_remote.Scratch("backups"), 1, 1);

        foreach (var name in new[] { "first", "second" })
        {
            _remote.HumanCommit($"add {name}", new Dictionary<string, string?> { [$"restores/{name}.yaml"] = orders.RestoreYaml(name, "t", "127.0.0.1:1") });
            var cycle = await loop.RunCycleAsync(CancellationToken.None);
            Assert.True(cycle.Synced);
        }

        // The working receiver has both, in order, while the hanging one still holds the first request unanswered
        // (it was sent: the sender is stuck on it, which is what must not spread) and the closed port is still being retried.
        var received = await working.WaitForAsync(2);
        Assert.Equal(["first", "second"], received.Select(r => Json(r.Body).GetProperty("name").GetString()));
        Assert.All(received, r => Assert.Equal(("Failed", "warning", "PolicyDenied"),
            (Json(r.Body).GetProperty("phase").GetString(), Json(r.Body).GetProperty("severity").GetString(), Json(r.Body).GetProperty("reason").GetString())));
        Assert.Single(await hanging.WaitForAsync(1));
        await PollAsync(() => Task.FromResult(string.Join('\n', _log.Lines)),
            l => l.Contains("Notifications:0 (webhook) for KafkaRestore kafka-backup/first (Failed): attempt 2 failed (ConnectionError)", StringComparison.Ordinal));
        Assert.Single(hanging.Requests);
        Assert.Equal((2L, 0L), (notifier.Sent, notifier.Failed));
        Assert.DoesNotContain(_log.Lines, l => l.Contains(UrlToken, StringComparison.Ordinal));
    }

    private static async Task<string> PollAsync(Func<Task<string>> read, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var text = await read();
            if (done(text)) return text;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"not seen within 60 s; last: {text}");
            await Task.Delay(50);
        }
    }
}
