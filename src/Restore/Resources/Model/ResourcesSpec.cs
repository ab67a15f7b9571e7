namespace KafkaRestored.Restore.Resources.Model;

/// <summary>Kubernetes resource requests/limits, mapped onto the restore's own budget.</summary>
public sealed record ResourcesSpec(ResourceQuantities? Requests, ResourceQuantities? Limits);
