namespace KafkaRestored.Daemon.Http;

/// <summary>One sample of a metric: label pairs, a value, and a name suffix such as "_sum" for summaries.</summary>
public sealed record MetricSample(IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, string Suffix = "");
