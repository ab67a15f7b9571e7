namespace KafkaRestored.Restore.Kafka;

/// <summary>The librdkafka file the process loaded (an absolute path, links resolved) and the version it reports.</summary>
public sealed record LoadedLibrdkafka(string Path, string Version);
