namespace KafkaRestored.Daemon.Http;

/// <summary>What the HTTP endpoints read from and act on.</summary>
public sealed record DaemonEndpoints(
    Func<HealthReport> Health,
    Func<IEnumerable<MetricFamily>> Metrics,
    Action TriggerCycle,
    Func<string?> WebhookSecret,
    StatusPageSource? StatusPage = null);
