using Confluent.Kafka;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>The Kafka client settings of the coordination cluster, from <see cref="CoordinationOptions"/>; secret files are read here, at start, and never logged.</summary>
public static class CoordinationClient
{
    /// <summary>The client configuration; a missing or unsafe secret file throws <see cref="KafkaRestored.Restore.KafkaRestoredException"/> (a settings error).</summary>
    public static ClientConfig Build(CoordinationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ClientConfig { BootstrapServers = string.Join(',', options.BootstrapList), LogConnectionClose = false };
        // The settings are spelled as librdkafka spells them (validated against the same lists).
        config.Set("security.protocol", options.CoordinationSecurityProtocol.ToLowerInvariant());
        if (options.CoordinationSecurityProtocol.StartsWith("SASL", StringComparison.Ordinal))
        {
            config.Set("sasl.mechanism", options.CoordinationSaslMechanism);
            config.SaslUsername = SecretStore.ReadFile(options.CoordinationSaslUsernameFile!, nameof(CoordinationOptions.CoordinationSaslUsernameFile));
            config.SaslPassword = SecretStore.ReadFile(options.CoordinationSaslPasswordFile!, nameof(CoordinationOptions.CoordinationSaslPasswordFile));
        }
        // Certificates are public: librdkafka reads them by path. The key is a secret file.
        if (options.CoordinationTlsCaFile is { } ca) config.SslCaLocation = ca;
        if (options.CoordinationTlsCertFile is { } cert) config.SslCertificateLocation = cert;
        if (options.CoordinationTlsKeyFile is { } key) config.SslKeyPem = SecretStore.ReadFile(key, nameof(CoordinationOptions.CoordinationTlsKeyFile));
        return config;
    }
}
