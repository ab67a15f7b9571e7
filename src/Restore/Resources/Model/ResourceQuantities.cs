namespace KafkaRestored.Restore.Resources.Model;

/// <summary>cpu in millicores, memory in bytes, parsed from Kubernetes quantities.</summary>
public sealed record ResourceQuantities(long? CpuMillis, long? MemoryBytes);
