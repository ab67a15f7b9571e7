using Confluent.Kafka;
using KafkaRestored.Restore.Resources;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Client settings for the offset tools. Interim: only PLAINTEXT is built here; the security
/// settings (TLS, SASL) belong to the engine's shared client configuration and are not
/// duplicated in this folder.
/// </summary>
internal static class OffsetsClientConfig
{
    public static AdminClientConfig Admin(KafkaClusterSpec cluster, SecretStore secrets)
    {
        var config = new AdminClientConfig(Common(cluster, secrets))
        {
            // A metadata lookup must never create the topic it asks about.
            AllowAutoCreateTopics = false,
        };
        return config;
    }

    public static ConsumerConfig Reader(KafkaClusterSpec cluster, SecretStore secrets) =>
        new(Common(cluster, secrets))
        {
            // Assign-only reader: the group id is required by the client but never joined or committed.
            GroupId = "kafka-restored-offset-reader",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AllowAutoCreateTopics = false,
            IsolationLevel = IsolationLevel.ReadUncommitted,
        };

    private static ClientConfig Common(KafkaClusterSpec cluster, SecretStore secrets)
    {
        _ = secrets;
        if (cluster.SecurityProtocol != Resources.SecurityProtocol.Plaintext)
            throw new KafkaRestoredException("SecurityNotSupported",
                $"kafkaCluster.securityProtocol {cluster.SecurityProtocol} is not yet supported by the offset tools; use a PLAINTEXT listener.");
        return new ClientConfig { BootstrapServers = string.Join(',', cluster.BootstrapServers) };
    }
}
