using Confluent.Kafka;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Offsets;

/// <summary>The offset tools' admin and reader clients, on the shared cluster settings (security included) of <see cref="KafkaClientConfig"/>.</summary>
internal static class OffsetsClientConfig
{
    public static AdminClientConfig Admin(KafkaClusterSpec cluster, SecretStore secrets) =>
        new(KafkaClientConfig.For(cluster, secrets))
        {
            // A metadata lookup must never create the topic it asks about.
            AllowAutoCreateTopics = false,
            // Logs each broker's ApiVersions answer: OffsetDelete may only be sent where it is listed (BrokerApiSupport).
            Debug = BrokerApiSupport.DebugContext,
        };

    public static ConsumerConfig Reader(KafkaClusterSpec cluster, SecretStore secrets) =>
        new(KafkaClientConfig.For(cluster, secrets))
        {
            // Assign-only reader: the group id is required by the client but never joined or committed.
            GroupId = "kafka-restored-offset-reader",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AllowAutoCreateTopics = false,
            IsolationLevel = IsolationLevel.ReadUncommitted,
        };
}
