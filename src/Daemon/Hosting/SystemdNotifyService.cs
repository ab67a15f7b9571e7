using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>
/// sd_notify for Type=notify units: READY=1 once the host has started (settings were valid),
/// WATCHDOG=1 only while the reconcile loop beats, STOPPING=1 on shutdown. Active whenever
/// NOTIFY_SOCKET is set, whoever the parent process is.
/// </summary>
public sealed class SystemdNotifyService(
    IHostApplicationLifetime lifetime,
    LoopHeartbeat heartbeat,
    TimeProvider time,
    ILogger<SystemdNotifyService> logger) : BackgroundService
{
    private readonly SystemdNotifier _notifier = new();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_notifier.IsEnabled) return;
        lifetime.ApplicationStarted.Register(() => _notifier.Notify(ServiceState.Ready));
        lifetime.ApplicationStopping.Register(() => _notifier.Notify(ServiceState.Stopping));

        var interval = WatchdogInterval();
        if (interval is null) return;
        logger.LogInformation("systemd watchdog enabled: pinging every {Interval} while the reconcile loop progresses", interval);
        using var timer = new PeriodicTimer(interval.Value, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (heartbeat.IsAlive) _notifier.Notify(new ServiceState("WATCHDOG=1"));
                else logger.LogWarning("reconcile loop made no progress since {LastBeat}; withholding watchdog ping", heartbeat.LastProgress);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) recommends; null when no watchdog is asked for.</summary>
    private static TimeSpan? WatchdogInterval()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        if (!long.TryParse(usec, out var us) || us <= 0) return null;
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (int.TryParse(pid, out var p) && p != Environment.ProcessId) return null;
        return TimeSpan.FromMicroseconds(us / 2.0);
    }
}
