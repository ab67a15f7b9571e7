using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for Cluster: bootstrap servers, security protocol and the TLS and SASL secrets.
internal static partial class SpecReaders
{
    private static readonly string[] ClusterFields = ["bootstrapServers", "securityProtocol", "tlsSecret", "saslSecret", "replicationFactor"];

    private static readonly string[] TlsFields = ["name", "caKey", "certKey", "keyKey"];

    private static readonly string[] SaslFields = ["name", "mechanism", "usernameKey", "passwordKey"];

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?):(?<port>[0-9]{1,5})\z")]
    private static partial Regex HostPort();

    private static KafkaClusterSpec? Cluster(MapReader parent, string key, bool required, bool replicationFactorUsed)
    {
        var m = parent.Map(key, ClusterFields, required, "say which Kafka cluster to use (bootstrapServers)");
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var servers = m.StringList("bootstrapServers", required: true, hint: "list the brokers as host:port");
        foreach (var (server, at) in servers ?? [])
        {
            var match = HostPort().Match(server);
            if (!match.Success || !int.TryParse(match.Groups["port"].Value, out var port) || port is < 1 or > 65535)
            {
                m.Ctx.Error(at, DiagnosticCodes.InvalidBootstrapServer,
                    $"{m.FieldPath("bootstrapServers")} entry \"{MapReader.Truncate(server)}\" is not host:port (e.g. kafka-0.kafka.svc:9092)");
            }
        }
        var protocol = m.Enum("securityProtocol", SpecVocabulary.Protocols);
        var effective = protocol ?? SecurityProtocol.Plaintext;
        var tls = TlsSecret(m);
        var sasl = SaslSecret(m);
        var usesSasl = effective is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
        var usesTls = effective is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
        var protocolValid = protocol is not null || !m.Present("securityProtocol") || m.Value("securityProtocol") is null;
        if (protocolValid)
        {
            var protocolText = SpecVocabulary.Text(SpecVocabulary.Protocols, effective);
            if (usesSasl && !m.Present("saslSecret"))
                m.Missing("saslSecret", $"securityProtocol {protocolText} needs the SASL credentials' secret");
            if (!usesSasl && m.Present("saslSecret"))
            {
                m.Ctx.Warning(m.KeyAt("saslSecret"), DiagnosticCodes.UnusedField,
                    $"{m.FieldPath("saslSecret")} is not used with securityProtocol {protocolText}; use SASL_PLAINTEXT or SASL_SSL, or remove it");
            }
            if (!usesTls && m.Present("tlsSecret"))
            {
                m.Ctx.Warning(m.KeyAt("tlsSecret"), DiagnosticCodes.UnusedField,
                    $"{m.FieldPath("tlsSecret")} is not used with securityProtocol {protocolText}; use SSL or SASL_SSL, or remove it");
            }
        }
        var rf = m.Integer("replicationFactor", 1, short.MaxValue);
        if (!replicationFactorUsed && m.Present("replicationFactor"))
        {
            m.Ctx.Warning(m.KeyAt("replicationFactor"), DiagnosticCodes.UnusedField,
                $"{m.FieldPath("replicationFactor")} is used only when a restore creates topics; it has no effect here");
        }
        if (m.Ctx.ErrorCount > before) return null;
        return new KafkaClusterSpec(new ValueList<string>(servers!.Select(s => s.Value)), effective, tls, sasl, (short?)rf);
    }

    private static string? SecretName(MapReader m, string what)
    {
        if (m.Value("name") is null)
        {
            m.Ctx.Error(m.KeyAt("name"), DiagnosticCodes.IncompleteSecretRef,
                $"{m.FieldPath("name")} is missing: name the secret (a folder under the secrets directory) that holds {what}");
            return null;
        }
        var name = m.String("name");
        if (name is null || Names.IsDns1123Subdomain(name)) return name;
        m.Ctx.Error(m.Value("name")!.Start, DiagnosticCodes.InvalidName, ResourceValidator.Dns1123Message(m.FieldPath("name"), name));
        return null;
    }

    private static string? SecretKey(MapReader m, string key, bool required, string what)
    {
        if (m.Value(key) is null)
        {
            if (required)
            {
                m.Ctx.Error(m.KeyAt(key), DiagnosticCodes.IncompleteSecretRef,
                    $"{m.FieldPath(key)} is missing: name the key in the secret that holds {what}");
            }
            return null;
        }
        var k = m.String(key);
        if (k is null || Names.IsSecretKey(k)) return k;
        m.Ctx.Error(m.Value(key)!.Start, DiagnosticCodes.InvalidName,
            $"{m.FieldPath(key)} \"{MapReader.Truncate(k)}\" is not a secret key: use letters, digits, '-', '_' and '.'");
        return null;
    }

    private static TlsSecretRef? TlsSecret(MapReader cluster)
    {
        var m = cluster.Map("tlsSecret", TlsFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var name = SecretName(m, "the TLS material");
        var ca = SecretKey(m, "caKey", false, "the CA certificate");
        var cert = SecretKey(m, "certKey", false, "the client certificate");
        var key = SecretKey(m, "keyKey", false, "the client key");
        if (!m.Present("caKey") && !m.Present("certKey") && !m.Present("keyKey"))
        {
            m.Ctx.Error(cluster.KeyAt("tlsSecret"), DiagnosticCodes.IncompleteSecretRef,
                $"{m.Path} names no key: give caKey (the CA certificate), and certKey with keyKey for mutual TLS");
        }
        else if (m.Present("certKey") != m.Present("keyKey"))
        {
            var missing = m.Present("certKey") ? "keyKey" : "certKey";
            m.Ctx.Error(m.KeyAt(m.Present("certKey") ? "certKey" : "keyKey"), DiagnosticCodes.IncompleteSecretRef,
                $"{m.FieldPath(missing)} is missing: mutual TLS needs both certKey and keyKey");
        }
        return m.Ctx.ErrorCount > before ? null : new TlsSecretRef(name!, ca, cert, key);
    }

    private static SaslSecretRef? SaslSecret(MapReader cluster)
    {
        var m = cluster.Map("saslSecret", SaslFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var name = SecretName(m, "the SASL username and password");
        var mechanism = m.Enum("mechanism", SpecVocabulary.Mechanisms, required: true);
        var user = SecretKey(m, "usernameKey", false, "the username") ?? "username";
        var password = SecretKey(m, "passwordKey", false, "the password") ?? "password";
        return m.Ctx.ErrorCount > before ? null : new SaslSecretRef(name!, mechanism!.Value, user, password);
    }
}
