using System.Text.RegularExpressions;
using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Kafka;

/// <summary>
/// Remembers the TLS handshake failures librdkafka reports through a client's log and error
/// callbacks (on its own threads), so that a cluster that gives no metadata can be explained as
/// <c>TlsCertificateNotTrusted</c> (wrong or missing CA, name mismatch) or
/// <c>TlsHandshakeFailed</c> (plaintext port, refused client certificate) instead of a vague
/// "unreachable". Messages name the bootstrap servers and the broker, never a secret.
/// </summary>
/// <param name="bootstrap">The bootstrap servers, as in messages.</param>
/// <param name="cluster">How messages name the cluster, e.g. "the target Kafka cluster".</param>
/// <param name="fieldPrefix">Where the cluster's settings sit in the resource, e.g. "spec.targetCluster.".</param>
/// <param name="caConfigured">True when a CA was given (tlsSecret caKey); false means the system CA bundle was used.</param>
/// <param name="nothingDone">What the failure left untouched, e.g. "Nothing was written."</param>
internal sealed partial class TlsHandshakeWatch(string bootstrap, string cluster, string fieldPrefix, bool caConfigured, string nothingDone)
{
    private string? _last;

    /// <summary>Looks at one librdkafka log line or error and keeps it when it is a TLS handshake failure.</summary>
    public void Note(string message)
    {
        if (message.Contains("SSL handshake failed", StringComparison.Ordinal) || message.Contains("certificate verify failed", StringComparison.Ordinal))
            Volatile.Write(ref _last, message);
    }

    /// <summary>The failure explained by TLS, or null when no handshake failed.</summary>
    public KafkaRestoredException? Explain(Exception inner)
    {
        var message = Volatile.Read(ref _last);
        if (message is null) return null;
        var broker = BrokerPattern().Match(message) is { Success: true } m ? m.Groups[1].Value : bootstrap;
        var tlsSecret = fieldPrefix + "tlsSecret";
        if (message.Contains("certificate verify failed", StringComparison.Ordinal))
        {
            var detail = VerifyDetailPattern().Match(message) is { Success: true } d ? d.Groups[1].Value.Trim() : "certificate verify failed";
            var ca = caConfigured
                ? $"the CA in {tlsSecret} (its caKey file) must be the CA, or a CA chain, that signed the brokers' certificates"
                : $"no CA is configured ({tlsSecret} has no caKey), so the system's CA bundle was used; set tlsSecret.caKey to a file holding the CA that signed the brokers' certificates";
            return new KafkaRestoredException(FailureReason.TlsCertificateNotTrusted,
                $"cannot connect to {cluster} at {bootstrap} over TLS: the certificate presented by {broker} could not be verified ({detail}); " +
                $"{ca}, and the broker addresses must match the names in their certificates. {nothingDone}", inner);
        }
        var reason = HandshakeDetailPattern().Match(message) is { Success: true } h ? h.Groups[1].Value.Trim() : message;
        return new KafkaRestoredException(FailureReason.TlsHandshakeFailed,
            $"cannot connect to {cluster} at {bootstrap} over TLS: the handshake with {broker} failed ({reason}); " +
            $"check that {fieldPrefix}securityProtocol matches the listener (SSL or SASL_SSL for a TLS port), that the brokers accept the client certificate of {tlsSecret} (certKey, keyKey) when they require one, " +
            (caConfigured ? "and that the tlsSecret caKey file holds the CA that signed the brokers' certificates." : "and that the system's CA bundle (no tlsSecret caKey is set) trusts the brokers.") + " " + nothingDone, inner);
    }

    // "ssl://127.0.0.1:9093/bootstrap: SSL handshake failed: ..." names the broker the handshake was with.
    [GeneratedRegex(@"(?:^|\s)((?:ssl|sasl_ssl)://[^\s:/]+:\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex BrokerPattern();

    // OpenSSL's reason without librdkafka's hint about ssl.ca.location, a setting users of kafka-restored do not set.
    [GeneratedRegex(@"(error:[0-9A-Fa-f]+:[^:]*::certificate verify failed|certificate verify failed)")]
    private static partial Regex VerifyDetailPattern();

    [GeneratedRegex(@"SSL handshake failed: ([^(]+)")]
    private static partial Regex HandshakeDetailPattern();
}
