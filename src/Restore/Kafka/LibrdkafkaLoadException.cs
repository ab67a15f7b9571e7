namespace KafkaRestored.Restore.Kafka;

/// <summary>
/// The librdkafka kafka-restored ships cannot be used on this host: none of its builds loads, the one
/// that loads is older than the tested version, or another librdkafka is already loaded. Reported in
/// one line (reason, path, version, what to do) before any work starts.
/// </summary>
public sealed class LibrdkafkaLoadException(string reason, string message) : Exception(message)
{
    /// <summary>Reason when no bundled build loads on this host.</summary>
    public const string NotLoadable = "LibrdkafkaNotLoadable";

    /// <summary>Reason when the bundled build that loads is older than the tested version.</summary>
    public const string TooOld = "LibrdkafkaTooOld";

    /// <summary>Reason when a librdkafka other than the bundled one is in the process.</summary>
    public const string Foreign = "LibrdkafkaForeign";

    /// <summary>The CamelCase reason: <see cref="NotLoadable"/>, <see cref="TooOld"/> or <see cref="Foreign"/>.</summary>
    public string Reason { get; } = reason;
}
