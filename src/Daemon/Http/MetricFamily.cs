namespace KafkaRestored.Daemon.Http;

/// <summary>A metric family in the Prometheus text exposition format (version 0.0.4).</summary>
public sealed record MetricFamily(string Name, string Type, string Help, IReadOnlyList<MetricSample> Samples)
{
    /// <summary>A family with one unlabelled sample.</summary>
    public static MetricFamily Single(string name, string type, string help, double value) =>
        new(name, type, help, [new MetricSample([], value)]);
}
