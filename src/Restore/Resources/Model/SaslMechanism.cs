namespace KafkaRestored.Restore.Resources.Model;

/// <summary>SASL mechanisms.</summary>
public enum SaslMechanism
{
    /// <summary>PLAIN.</summary>
    Plain,

    /// <summary>SCRAM-SHA-256.</summary>
    ScramSha256,

    /// <summary>SCRAM-SHA-512.</summary>
    ScramSha512,
}
