using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace KafkaRestored.Reconciler.Coordination;

/// <summary>
/// The daemons' own topics on the coordination cluster (the leadership topic and the shared run state): one partition,
/// compacted, created by the daemon where the cluster lets it, otherwise named with the command an operator runs.
/// </summary>
public static class CoordinationTopics
{
    /// <summary>The exact command an operator runs when the daemon may not create <paramref name="topic"/>.</summary>
    public static string CreateCommand(string bootstrap, string topic, int partitions = 1) =>
        $"kafka-topics.sh --bootstrap-server {bootstrap} --create --topic {topic} --partitions {partitions} --replication-factor 3 --config cleanup.policy=compact";

    /// <summary>
    /// Makes sure <paramref name="topic"/> exists, creating it (1 partition, broker default replication, compacted) when it is
    /// missing; false, after an error naming the command to run and what waits for it, when it could be neither found nor created.
    /// </summary>
    public static bool Ensure(ClientConfig client, string topic, string purpose, string untilThen, ILogger logger, int partitions = 1)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        using var admin = new AdminClientBuilder(client).Build();
        try
        {
            var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(15));
            if (metadata.Topics.Any(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError && t.Partitions.Count > 0)) return true;
            admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = -1, Configs = new() { ["cleanup.policy"] = "compact" } }],
                new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(15), OperationTimeout = TimeSpan.FromSeconds(15) }).GetAwaiter().GetResult();
            logger.LogInformation("Created the {Purpose} topic {Topic} ({Partitions} partitions, compacted)", purpose, topic, partitions);
            return true;
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another instance created it meanwhile.
            return true;
        }
        catch (KafkaException e)
        {
            logger.LogError("The {Purpose} topic {Topic} could not be found or created ({Error}); {UntilThen}. If it is missing, create it with: {Command}",
                purpose, topic, e.Error.Reason, untilThen, CreateCommand(client.BootstrapServers, topic, partitions));
            return false;
        }
    }
}
