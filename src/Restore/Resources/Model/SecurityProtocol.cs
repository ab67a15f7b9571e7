namespace KafkaRestored.Restore.Resources.Model;

/// <summary>securityProtocol values.</summary>
public enum SecurityProtocol
{
    /// <summary>Plain TCP (default).</summary>
    Plaintext,

    /// <summary>TLS.</summary>
    Ssl,

    /// <summary>SASL over TCP.</summary>
    SaslPlaintext,

    /// <summary>SASL over TLS.</summary>
    SaslSsl,
}
