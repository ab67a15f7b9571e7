using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KafkaRestored.Reconciler.Git;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// Leadership without a coordination cluster: a lease in a ref of the config remote (default
/// <see cref="DefaultRef"/>), a chain of empty-tree commits whose trailers name the holder and the lease's duration.
/// Git's fast-forward rule is the compare-and-set: a renewal or takeover is a child of the tip this daemon evaluated,
/// pushed without force, so of two daemons acting on one tip only one lands. Expiry is measured on the observer's own
/// monotonic clock (never by comparing clocks across hosts): another daemon's lease is taken over only after this daemon
/// has seen the same tip unchanged for its duration; a released lease (duration 0) at once.
/// </summary>
public sealed class GitLease : ILeadership, IAsyncDisposable
{
    /// <summary>The lease ref unless the setting LeaseRef names another.</summary>
    public const string DefaultRef = "refs/kafka-restored/lease";

    private const string FetchedRef = "refs/kafka-restored/fetched-lease";
    private const string PushedRef = "refs/kafka-restored/pushed-lease";
    private const string HolderTrailer = "Holder: ";
    private const string DurationTrailer = "Lease-Duration: ";
    private const int Attempts = 3;

    // What git receive-pack and libgit2 say when the ref moved since it was read, and when the host forbids the push.
    private static readonly string[] ConflictWords =
        ["non-fast-forward", "fetch first", "stale info", "cannot lock ref", "failed to lock", "failed to update ref", "already exists", "but expected"];

    private static readonly string[] DenialWords = ["403", "denied", "declined", "forbidden", "not allowed", "permission", "protected"];

    private readonly GitSource _git;
    private readonly string _ref;
    private readonly TimeSpan _duration;
    private readonly TimeSpan _releaseTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _timer = Task.CompletedTask;
    private LeadershipState _state;
    private string? _observedTip;
    private long _observedSince;
    private string? _heldTip;
    private long _renewedAt;
    private bool _holding;
    private bool _disposed;
    private string? _passiveLogged;
    private string? _problemLogged;

    /// <summary>
    /// Opens the lease's own small repository under <paramref name="options"/>' state directory (the clone's fetches never
    /// delay a renewal) for the lease ref <paramref name="leaseRef"/>; <see cref="Start"/> starts the renewals.
    /// </summary>
    public GitLease(ReconcilerOptions options, string leaseRef, TimeSpan duration, string instanceId, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ref = leaseRef;
        _duration = duration;
        _time = time;
        _logger = logger;
        _releaseTimeout = options.FetchTimeout < TimeSpan.FromSeconds(10) ? options.FetchTimeout : TimeSpan.FromSeconds(10);
        var directory = Path.Combine(options.StateDirectory, "lease");
        _git = new GitSource(options, directory, logger);
        InstanceId = instanceId;
        Holder = $"{instanceId} {Fingerprint(options.StateDirectory, directory)}";
        _state = new LeadershipState(instanceId, "member", time.GetUtcNow(), 0, "has not looked at the lease yet");
    }

    /// <inheritdoc />
    public string InstanceId { get; }

    /// <summary>This daemon as the lease names it: the instance id and a fingerprint of its state directory.</summary>
    public string Holder { get; }

    /// <summary>Raised when this daemon gains or loses the lease: the loop should cycle now.</summary>
    public event Action? Changed;

    /// <inheritdoc />
    public bool AcquiredFromAnother { get; private set; }

    /// <summary>The lease as last evaluated, for /healthz and /metrics.</summary>
    public LeadershipState State
    {
        get
        {
            lock (_lock) return _state;
        }
    }

    /// <summary>Called just before a lease push is sent; lets tests race two daemons deterministically.</summary>
    internal Action? BeforePushSend
    {
        get => _git.BeforePushSend;
        set => _git.BeforePushSend = value;
    }

    /// <summary>Starts the renewals (every third of the duration), which also notice a lease lost while the loop waits.</summary>
    public void Start()
    {
        _timer = Task.Run(TickAsync);
        _logger.LogInformation("Lease mode: instance {Instance} reconciles only while it holds the lease {Ref} on {Remote} (duration {Duration}; holder '{Holder}')",
            InstanceId, _ref, _git.SafeUrl, _duration, Holder);
    }

    /// <inheritdoc />
    public async Task<bool> ConfirmAsync(CancellationToken cancellationToken)
    {
        if (Fresh()) return true;
        lock (_lock)
        {
            // Released on shutdown: never again.
            if (_disposed) return false;
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await EvaluateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True while this daemon holds the lease and renewed it within a third of the duration: no need to ask Git.</summary>
    private bool Fresh()
    {
        lock (_lock) return !_disposed && _holding && _time.GetElapsedTime(_renewedAt) < _duration / 3;
    }

    private async Task TickAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(UntilDue(), _time, _stop.Token);
                await _gate.WaitAsync(_stop.Token);
                try
                {
                    await EvaluateAsync(_stop.Token);
                }
                finally
                {
                    _gate.Release();
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (GitSourceException)
            {
                // Logged once by Unreachable; looked at again on the next tick or cycle.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogError(e, "Renewing the lease {Ref} failed unexpectedly; trying again in {Period}", _ref, _duration / 3);
            }
        }
    }

    /// <summary>A holder renews a third of the duration after its last renewal (the loop may have renewed since); others look every third.</summary>
    private TimeSpan UntilDue()
    {
        lock (_lock)
        {
            if (!_holding) return _duration / 3;
            var left = (_duration / 3) - _time.GetElapsedTime(_renewedAt);
            return left > TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50);
        }
    }

    /// <summary>Fetches the lease, decides, and pushes a renewal or takeover where due. Called under the gate.</summary>
    private async Task<bool> EvaluateAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_disposed) return false;
        }
        // Another caller may have renewed while this one waited for the gate.
        if (Fresh()) return true;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            string? tip;
            try
            {
                tip = await _git.FetchRefAsync(_ref, FetchedRef, cancellationToken);
            }
            catch (GitSourceException e)
            {
                // Without a recent renewal the remote's silence is the caller's failed fetch (the loop reports it as one).
                if (Unreachable($"the lease ref could not be fetched: {e.Message}")) return true;
                throw;
            }
            var seen = _time.GetTimestamp();
            if (tip != _observedTip)
            {
                _observedTip = tip;
                _observedSince = seen;
            }
            var lease = tip is null ? null : Read(tip);
            string why;
            var fromAnother = lease is not null && lease.Holder != Holder;
            if (lease is null) why = "no daemon held it";
            else if (lease.Holder == Holder) why = lease.Released ? "this daemon had released it" : _holding ? "renewed" : "this state directory's own lease, from before a restart";
            else if (lease.Released) why = $"{lease.Holder} released it";
            else if (_time.GetElapsedTime(_observedSince) >= lease.Duration)
                why = $"{lease.Holder} did not renew it for {_time.GetElapsedTime(_observedSince).TotalSeconds:0.#} s as seen here (its duration is {lease.Duration.TotalSeconds:0} s)";
            else return Passive(lease);

            var (outcome, detail) = await PushAsync(tip, released: false, cancellationToken);
            switch (outcome)
            {
                case Outcome.Pushed:
                    _problemLogged = null;
                    // Taken from another daemon: what it committed is taken over before this one plans.
                    if (State.Role != "leader") AcquiredFromAnother = fromAnother;
                    return Settle(true, why);
                case Outcome.Moved:
                    // Another daemon moved the ref since this one fetched it: look again.
                    _logger.LogDebug("The lease {Ref} moved while this daemon pushed ({Detail}); fetching it again", _ref, detail);
                    continue;
                case Outcome.Refused:
                    if (_problemLogged != detail)
                    {
                        _problemLogged = detail;
                        _logger.LogError(
                            "The Git host refused the lease ref {Ref} on {Remote}: {Reason}. This daemon stays passive (the safe side) until it can hold the lease: " +
                            "let its credentials push {Ref}, or set LeaseRef to a ref the host accepts, or set Lease to false to run without a lease " +
                            "(then a second daemon pointed at this repository would run every restore again)", _ref, _git.SafeUrl, detail, _ref);
                    }
                    return Settle(false, $"the Git host refused the lease ref {_ref}: {detail}");
                default:
                    return Unreachable($"the lease could not be pushed: {detail}");
            }
        }
        return Settle(false, $"the lease ref {_ref} moved under each of {Attempts} attempts to take it");
    }

    /// <summary>Another daemon holds an unexpired lease: stay passive, saying so once per holder.</summary>
    private bool Passive(Lease lease)
    {
        if (_passiveLogged != lease.Holder)
        {
            _passiveLogged = lease.Holder;
            var ago = Math.Max(0, (_time.GetUtcNow() - lease.When).TotalSeconds);
            _logger.LogWarning(
                "Another daemon holds the lease {Ref} on {Remote}: {Holder}, renewed {Seconds} s ago; staying passive until it is gone (or set CoordinationBootstrapServers to run several daemons as one)",
                _ref, _git.SafeUrl, lease.Holder, ((int)ago).ToString(CultureInfo.InvariantCulture));
        }
        lock (_lock) _holding = false;
        return Settle(false, $"{lease.Holder} holds the lease {_ref}");
    }

    /// <summary>Git could not be asked: a holder keeps acting only while its last renewal is recent enough that nobody may have taken over.</summary>
    private bool Unreachable(string reason)
    {
        bool valid;
        lock (_lock) valid = _holding && _time.GetElapsedTime(_renewedAt) < _duration * 2 / 3;
        if (_problemLogged != reason)
        {
            _problemLogged = reason;
            _logger.LogWarning("Lease {Ref}: {Reason}; {Consequence}", _ref, reason,
                valid ? "this daemon renewed it recently and goes on until two thirds of its duration" : "this daemon does not act until it can hold the lease");
        }
        if (valid) return true;
        lock (_lock) _holding = false;
        return Settle(false, reason);
    }

    /// <summary>Pushes a child of <paramref name="parent"/> naming this daemon (with duration 0 when <paramref name="released"/>), never forcing.</summary>
    private async Task<(Outcome Outcome, string Detail)> PushAsync(string? parent, bool released, CancellationToken cancellationToken)
    {
        var seconds = released ? 0 : (long)Math.Ceiling(_duration.TotalSeconds);
        var message = $"Lease {(released ? "released" : "held")} by {InstanceId}\n\n{HolderTrailer}{Holder}\n{DurationTrailer}{seconds.ToString(CultureInfo.InvariantCulture)}\n";
        var commit = _git.CreateEmptyCommit(parent, message);
        // Taken before the push: the commit lands after this instant, so observers start counting after it too.
        var started = _time.GetTimestamp();
        string? refused;
        try
        {
            refused = await _git.PushRefAsync(commit, _ref, PushedRef, cancellationToken);
        }
        catch (GitSourceException e)
        {
            return (Denial(e.Message) ? Outcome.Refused : Outcome.Failed, e.Message);
        }
        if (refused is not null) return (Conflict(refused) ? Outcome.Moved : Outcome.Refused, refused);
        lock (_lock)
        {
            _heldTip = commit;
            _observedTip = commit;
            _observedSince = started;
            _renewedAt = started;
            _holding = !released;
        }
        return (Outcome.Pushed, "");
    }

    /// <summary>A refusal because the ref moved since it was read (someone else pushed first), not because the host forbids it.</summary>
    private static bool Conflict(string refusal) => ConflictWords.Any(s => refusal.Contains(s, StringComparison.OrdinalIgnoreCase));

    /// <summary>A transport error that is the host saying no (HTTP 403, a hook, a protected ref), not a network fault.</summary>
    private static bool Denial(string message) => DenialWords.Any(s => message.Contains(s, StringComparison.OrdinalIgnoreCase));

    private bool Settle(bool leading, string reason)
    {
        lock (_lock)
        {
            var role = leading ? "leader" : "member";
            if (role == _state.Role)
            {
                _state = _state with { Reason = reason };
                return leading;
            }
            _state = new LeadershipState(InstanceId, role, _time.GetUtcNow(), _state.Changes + 1, reason);
        }
        if (leading)
        {
            _passiveLogged = null;
            _logger.LogInformation("Instance {Instance} holds the lease {Ref} on {Remote} ({Reason}); reconciling", InstanceId, _ref, _git.SafeUrl, reason);
        }
        else
        {
            _logger.LogWarning("Instance {Instance} does not hold the lease {Ref} any more: {Reason}; it stops starting work and pushing, and cancels its runs",
                InstanceId, _ref, reason);
        }
        Changed?.Invoke();
        return leading;
    }

    /// <summary>The lease a tip commit records; one that is not a lease commit counts as held by nobody known, for the default duration.</summary>
    private Lease Read(string tip)
    {
        var (message, when) = _git.ReadCommit(tip);
        string? holder = null;
        TimeSpan? duration = null;
        foreach (var line in message.Split('\n'))
        {
            if (line.StartsWith(HolderTrailer, StringComparison.Ordinal)) holder = line[HolderTrailer.Length..].Trim();
            else if (line.StartsWith(DurationTrailer, StringComparison.Ordinal)
                && long.TryParse(line[DurationTrailer.Length..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) && s <= int.MaxValue)
            {
                duration = TimeSpan.FromSeconds(s);
            }
        }
        return new Lease(holder ?? $"an unknown writer (commit {tip[..12]})", duration ?? _duration, when);
    }

    /// <summary>
    /// A short, stable name for this state directory: a restart on it is the same holder; another directory, or another host
    /// with the same path and instance id, is not (a random id kept in the directory tells them apart).
    /// </summary>
    private static string Fingerprint(string stateDirectory, string leaseDirectory)
    {
        var file = Path.Combine(leaseDirectory, "holder-id");
        string id;
        if (File.Exists(file))
        {
            id = File.ReadAllText(file).Trim();
        }
        else
        {
            id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            File.WriteAllText(file, id + "\n");
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(stateDirectory) + "\n" + id));
        return Convert.ToHexStringLower(hash)[..8];
    }

    /// <summary>Stops the renewals and, when this daemon holds the lease, releases it (duration 0) so a waiting daemon takes over at once.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed) return;
        }
        await _stop.CancelAsync();
        await _timer.ConfigureAwait(false);
        await _gate.WaitAsync();
        try
        {
            string? tip;
            lock (_lock)
            {
                _disposed = true;
                tip = _holding ? _heldTip : null;
                _holding = false;
            }
            if (tip is not null) await ReleaseAsync(tip);
        }
        finally
        {
            _gate.Release();
        }
        _git.Dispose();
        _gate.Dispose();
        _stop.Dispose();
    }

    private async Task ReleaseAsync(string tip)
    {
        using var timeout = new CancellationTokenSource(_releaseTimeout);
        try
        {
            var (outcome, detail) = await PushAsync(tip, released: true, timeout.Token);
            if (outcome == Outcome.Pushed)
                _logger.LogInformation("Released the lease {Ref} on {Remote}: a waiting daemon takes over at once", _ref, _git.SafeUrl);
            else
                _logger.LogWarning("The lease {Ref} could not be released ({Detail}); another daemon takes over once it has seen it unrenewed for {Duration}", _ref, detail, _duration);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Releasing the lease {Ref} took longer than {Timeout}; another daemon takes over once it has seen it unrenewed for {Duration}", _ref, _releaseTimeout, _duration);
        }
        Settle(false, "released on shutdown");
    }

    private enum Outcome
    {
        Pushed,
        Moved,
        Refused,
        Failed,
    }

    private sealed record Lease(string Holder, TimeSpan Duration, DateTimeOffset When)
    {
        public bool Released => Duration == TimeSpan.Zero;
    }
}
