namespace KafkaRestored.Restore.Resources.Model;

/// <summary>A Kafka cluster to talk to (targetCluster / kafkaCluster).</summary>
public sealed record KafkaClusterSpec(
    ValueList<string> BootstrapServers,
    SecurityProtocol SecurityProtocol,
    TlsSecretRef? TlsSecret,
    SaslSecretRef? SaslSecret,
    short? ReplicationFactor);
