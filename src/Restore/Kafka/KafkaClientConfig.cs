using Confluent.Kafka;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;

namespace KafkaRestored.Restore.Kafka;

/// <summary>
/// The one place where a <see cref="KafkaClusterSpec"/> (bootstrap servers, security protocol,
/// TLS and SASL secrets) becomes a Confluent.Kafka client configuration. Producers, admin
/// clients and consumers of the restore engine and of the offset tools all start from it.
/// </summary>
public static class KafkaClientConfig
{
    /// <summary>
    /// Builds the shared client settings. Secret values go into the configuration only (PEM
    /// strings and SASL credentials in memory); they are never logged or put in messages.
    /// </summary>
    /// <exception cref="KafkaRestoredException">Reason SecretNotFound or InsecureSecretFile when a referenced secret file is missing or unsafe.</exception>
    public static ClientConfig For(KafkaClusterSpec cluster, SecretStore secrets)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(secrets);
        var config = new ClientConfig
        {
            BootstrapServers = BootstrapList(cluster),
            SecurityProtocol = cluster.SecurityProtocol switch
            {
                Resources.Model.SecurityProtocol.Ssl => Confluent.Kafka.SecurityProtocol.Ssl,
                Resources.Model.SecurityProtocol.SaslPlaintext => Confluent.Kafka.SecurityProtocol.SaslPlaintext,
                Resources.Model.SecurityProtocol.SaslSsl => Confluent.Kafka.SecurityProtocol.SaslSsl,
                _ => Confluent.Kafka.SecurityProtocol.Plaintext,
            },
            // Closed idle connections are routine; librdkafka would otherwise log each one as an error.
            LogConnectionClose = false,
        };

        if (cluster.TlsSecret is { } tls)
        {
            if (tls.CaKey is not null) config.SslCaPem = secrets.Read(tls.Name, tls.CaKey);
            if (tls.CertKey is not null) config.SslCertificatePem = secrets.Read(tls.Name, tls.CertKey);
            if (tls.KeyKey is not null) config.SslKeyPem = secrets.Read(tls.Name, tls.KeyKey);
        }

        if (cluster.SaslSecret is { } sasl)
        {
            config.SaslMechanism = sasl.Mechanism switch
            {
                Resources.Model.SaslMechanism.ScramSha256 => Confluent.Kafka.SaslMechanism.ScramSha256,
                Resources.Model.SaslMechanism.ScramSha512 => Confluent.Kafka.SaslMechanism.ScramSha512,
                _ => Confluent.Kafka.SaslMechanism.Plain,
            };
            config.SaslUsername = secrets.Read(sasl.Name, sasl.UsernameKey);
            config.SaslPassword = secrets.Read(sasl.Name, sasl.PasswordKey);
        }
        return config;
    }

    /// <summary>The bootstrap servers as one comma-separated string (also the form used in messages).</summary>
    public static string BootstrapList(KafkaClusterSpec cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return string.Join(',', cluster.BootstrapServers);
    }
}
