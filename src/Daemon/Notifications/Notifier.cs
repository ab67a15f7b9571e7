using System.Net;
using System.Threading.Channels;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Secrets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Notifications;

/// <summary>
/// Sends phase changes to the <c>Notifications</c> of the host settings: each target has its own
/// bounded queue and sender, so a receiver that is slow or down delays only its own notifications,
/// never a reconcile cycle (<see cref="Enqueue"/> only queues) nor another target. Each notification
/// is retried with capped exponential backoff. Logs name the target by its settings key, never its
/// URL (webhook and Slack URLs are credentials).
/// </summary>
public sealed class Notifier : IHostedService, IAsyncDisposable
{
    /// <summary>Notifications queued per target; beyond that new ones are dropped (and counted, and logged).</summary>
    public const int QueueCapacity = 1000;

    private readonly List<Sender> _senders;
    private readonly HttpClient _http;
    private readonly NotifierTuning _tuning;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private long _sent;
    private long _failed;
    private long _dropped;

    private Notifier(List<Sender> senders, NotifierTuning tuning, TimeProvider time, ILogger logger)
    {
        _senders = senders;
        _tuning = tuning;
        _time = time;
        _logger = logger;
        // Redirects are not followed: a notification goes where the settings say, nowhere else.
        _http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        foreach (var s in _senders) s.Worker = Task.Run(() => RunAsync(s));
    }

    /// <summary>
    /// Reads each target's secret files (URL, signing key) and starts its sender.
    /// </summary>
    /// <exception cref="KafkaRestoredException">A secret file is missing or readable by others (the message names the setting and path, never the content).</exception>
    /// <exception cref="SettingsException">A URL file does not hold a URL.</exception>
    public static Notifier Start(IList<NotificationTarget> targets, TimeProvider? time = null, ILogger? logger = null, NotifierTuning? tuning = null)
    {
        var senders = new List<Sender>();
        for (var i = 0; i < targets.Count; i++)
        {
            var t = targets[i];
            var key = $"Notifications:{i}";
            var url = t.UrlFile is { } f ? ReadSecret(f, $"{key}:UrlFile").Trim() : t.Url!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new SettingsException($"{key}:UrlFile {t.UrlFile} does not hold an http:// or https:// URL; write the URL alone in it.");
            var secret = t.SecretFile is { } s ? ReadSecret(s, $"{key}:SecretFile") : null;
            senders.Add(new Sender($"{key} ({t.Provider})", t, uri, secret));
        }
        return new Notifier(senders, tuning ?? NotifierTuning.Default, time ?? TimeProvider.System, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    /// <summary>A secret file's content; every refusal names <paramref name="setting"/>.</summary>
    private static string ReadSecret(string path, string setting)
    {
        try
        {
            return SecretStore.ReadFile(path, setting);
        }
        catch (KafkaRestoredException e) when (!e.Message.StartsWith(setting, StringComparison.Ordinal))
        {
            throw new KafkaRestoredException(e.Reason, $"{setting}: {e.Message}");
        }
    }

    /// <summary>Notifications a receiver accepted.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Notifications given up after every attempt (or refused by the receiver as malformed).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Notifications dropped because a target's queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="change"/> for every target whose filters accept it; returns at once.</summary>
    public void Enqueue(PhaseChange change)
    {
        var severity = NotificationSeverity.Of(change);
        foreach (var s in _senders.Where(s => s.Target.Accepts(change, severity)))
        {
            if (s.Queue.Writer.TryWrite(change)) continue;
            Interlocked.Increment(ref _dropped);
            _logger.LogWarning("Notification {Target} for {Resource} ({Phase}) dropped: {Capacity} are already queued for it", s.Name, change.Id, change.To, QueueCapacity);
        }
    }

    private async Task RunAsync(Sender sender)
    {
        try
        {
            await foreach (var change in sender.Queue.Reader.ReadAllAsync(_stop.Token))
                await SendAsync(sender, change);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: what is still queued is not sent.
        }
    }

    private async Task SendAsync(Sender sender, PhaseChange change)
    {
        for (var attempt = 1; ; attempt++)
        {
            var problem = await TryOnceAsync(sender, change);
            if (problem is null)
            {
                Interlocked.Increment(ref _sent);
                return;
            }
            if (problem.Value.Final || attempt >= _tuning.MaxAttempts)
            {
                Interlocked.Increment(ref _failed);
                _logger.LogError("Notification {Target} for {Resource} ({Phase}) given up after attempt {Attempt}: {Problem}",
                    sender.Name, change.Id, change.To, attempt, problem.Value.What);
                return;
            }
            var delay = TimeSpan.FromTicks(Math.Min(_tuning.RetryMaxDelay.Ticks, _tuning.RetryBaseDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
            _logger.LogWarning("Notification {Target} for {Resource} ({Phase}): attempt {Attempt} failed ({Problem}); retrying in {Delay}",
                sender.Name, change.Id, change.To, attempt, problem.Value.What, delay);
            await Task.Delay(delay, _time, _stop.Token);
        }
    }

    /// <summary>Null when the receiver accepted it; else what went wrong, in words without the URL, and whether retrying cannot help.</summary>
    private async Task<(string What, bool Final)?> TryOnceAsync(Sender sender, PhaseChange change)
    {
        using var request = NotificationPayload.Request(sender.Target.Provider, sender.Url, sender.Secret, change);
        using var timeout = new CancellationTokenSource(_tuning.AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stop.Token);
        try
        {
            using var response = await _http.SendAsync(request, linked.Token);
            if (response.IsSuccessStatusCode) return null;
            var code = (int)response.StatusCode;
            // A request the receiver refuses as it is (400, 401, 404...) fails the same way again; 408, 429 and 5xx may pass later.
            var final = code is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);
            return ($"HTTP {code}", final);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            return ($"no answer within {_tuning.AttemptTimeout}", false);
        }
        catch (HttpRequestException e)
        {
            // The exception's message can carry the host; the error kind says enough and nothing of the URL.
            return ($"{e.HttpRequestError}", false);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Lets the queues drain for at most the tuning's drain time (or until <paramref name="cancellationToken"/>), then stops the senders.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var s in _senders) s.Queue.Writer.TryComplete();
        var all = Task.WhenAll(_senders.Select(s => s.Worker));
        await ((Task)Task.WhenAny(all, Task.Delay(_tuning.DrainTimeout, _time, cancellationToken))).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stop.CancelAsync();
        await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Stops at once: what is queued is not sent.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var s in _senders) s.Queue.Writer.TryComplete();
        await _stop.CancelAsync();
        await Task.WhenAll(_senders.Select(s => s.Worker)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _http.Dispose();
        _stop.Dispose();
    }

    private sealed class Sender(string name, NotificationTarget target, Uri url, string? secret)
    {
        public string Name { get; } = name;

        public NotificationTarget Target { get; } = target;

        public Uri Url { get; } = url;

        public string? Secret { get; } = secret;

        public Channel<PhaseChange> Queue { get; } = Channel.CreateBounded<PhaseChange>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true });

        public Task Worker { get; set; } = Task.CompletedTask;
    }
}
