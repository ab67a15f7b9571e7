namespace KafkaRestored.Daemon.Http;

/// <summary>A resource and its phase, in the live feed.</summary>
public sealed record LiveFeedResource(string Kind, string Namespace, string Name, string Phase);
