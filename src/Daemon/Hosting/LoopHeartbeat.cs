namespace KafkaRestored.Daemon.Hosting;

/// <summary>
/// Whether the reconcile loop makes progress: it finished a cycle within the stall window (or
/// started less than that ago). The systemd watchdog and /healthz read it, so a stuck loop stops
/// the pings and turns health red.
/// </summary>
public sealed class LoopHeartbeat(TimeProvider time, Func<DateTimeOffset?> lastCycleEnd, TimeSpan window)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>The longest silence that still counts as progress.</summary>
    public TimeSpan Window { get; } = window;

    /// <summary>End of the last cycle, or the start of the daemon before the first one.</summary>
    public DateTimeOffset LastProgress => lastCycleEnd() ?? _started;

    /// <summary>True when the loop made progress within <see cref="Window"/>.</summary>
    public bool IsAlive => time.GetUtcNow() - LastProgress <= Window;
}
