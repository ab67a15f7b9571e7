namespace KafkaRestored.Restore.Resources.Model;

/// <summary>One Kubernetes toleration of podTemplate (ignored outside Kubernetes); every field optional, as in Kubernetes.</summary>
public sealed record Toleration(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds);
