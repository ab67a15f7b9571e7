namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>A fact that needs a real Kafka cluster (KAFKA_BOOTSTRAP_SERVERS); skipped with what the mock lacks otherwise.</summary>
internal sealed class RealClusterFactAttribute : FactAttribute
{
    public RealClusterFactAttribute(string mockLacks)
    {
        if (string.IsNullOrEmpty(Bootstrap)) Skip = "needs a real Kafka cluster in KAFKA_BOOTSTRAP_SERVERS: " + mockLacks;
    }

    /// <summary>The real cluster's bootstrap servers, or null.</summary>
    public static string? Bootstrap => Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
}
