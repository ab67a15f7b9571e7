namespace KafkaRestored.Daemon.Http;

/// <summary>Health as /healthz reports it.</summary>
public sealed record HealthReport(bool Healthy, IReadOnlyDictionary<string, object?> Details);
