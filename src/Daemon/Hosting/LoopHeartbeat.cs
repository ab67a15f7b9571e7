namespace KafkaRestored.Daemon.Hosting;

/// <summary>
/// When the reconcile loop last made progress (finished a cycle, or is waiting between cycles
/// as planned). The systemd watchdog and /healthz read it: a stuck loop stops the pings.
/// </summary>
public sealed class LoopHeartbeat(TimeProvider time)
{
    private long _lastBeatTicks = time.GetUtcNow().UtcTicks;
    private long _lastSuccessTicks;

    /// <summary>Time of the last beat.</summary>
    public DateTimeOffset LastBeat => new(Interlocked.Read(ref _lastBeatTicks), TimeSpan.Zero);

    /// <summary>Time of the last cycle that fetched and reconciled without error, if any.</summary>
    public DateTimeOffset? LastSuccessfulSync
    {
        get
        {
            var t = Interlocked.Read(ref _lastSuccessTicks);
            return t == 0 ? null : new DateTimeOffset(t, TimeSpan.Zero);
        }
    }

    /// <summary>Records progress of the loop.</summary>
    public void Beat() => Interlocked.Exchange(ref _lastBeatTicks, time.GetUtcNow().UtcTicks);

    /// <summary>Records a successful sync (and progress).</summary>
    public void Synced()
    {
        var now = time.GetUtcNow().UtcTicks;
        Interlocked.Exchange(ref _lastSuccessTicks, now);
        Interlocked.Exchange(ref _lastBeatTicks, now);
    }

    /// <summary>True when the loop beat within <paramref name="window"/>.</summary>
    public bool IsAlive(TimeSpan window) => time.GetUtcNow() - LastBeat <= window;
}
