using System.Text.RegularExpressions;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>
/// Distributed mode's settings (docs/distributed.md): the Kafka cluster whose group coordinator the daemons
/// of one deployment share, how to reach it, and this daemon's name. Unset <see cref="CoordinationBootstrapServers"/>
/// means single-instance mode, exactly as without these settings. Bound from the same sources as the others.
/// </summary>
public sealed partial class CoordinationOptions
{
    /// <summary>Default consumer group of the daemons of one deployment.</summary>
    public const string DefaultGroupId = "kafka-restored";

    /// <summary>Default name of the one-partition coordination topic.</summary>
    public const string DefaultTopic = "kafka-restored-coordination";

    /// <summary>Default name of the compacted topic holding the restores' shared checkpoints and offset maps.</summary>
    public const string DefaultStateTopic = "kafka-restored-state";

    /// <summary>The security protocols, spelled as in a resource's cluster spec and librdkafka.</summary>
    public static IReadOnlyList<string> Protocols { get; } = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

    /// <summary>The SASL mechanisms, spelled as in a resource's cluster spec and librdkafka.</summary>
    public static IReadOnlyList<string> Mechanisms { get; } = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

    /// <summary>host:port list (comma-separated) of the coordination cluster; unset: single-instance mode.</summary>
    public string? CoordinationBootstrapServers { get; set; }

    /// <summary>PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.</summary>
    public string CoordinationSecurityProtocol { get; set; } = "PLAINTEXT";

    /// <summary>PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (SASL protocols only).</summary>
    public string CoordinationSaslMechanism { get; set; } = "PLAIN";

    /// <summary>File holding the SASL user name (a secret file, never logged).</summary>
    public string? CoordinationSaslUsernameFile { get; set; }

    /// <summary>File holding the SASL password (a secret file, never logged).</summary>
    public string? CoordinationSaslPasswordFile { get; set; }

    /// <summary>PEM file of the CA that signed the brokers' certificates (SSL protocols; default: the system's CAs).</summary>
    public string? CoordinationTlsCaFile { get; set; }

    /// <summary>PEM client certificate for mutual TLS.</summary>
    public string? CoordinationTlsCertFile { get; set; }

    /// <summary>PEM client key for mutual TLS (a secret file, never logged).</summary>
    public string? CoordinationTlsKeyFile { get; set; }

    /// <summary>The consumer group every daemon of one deployment joins.</summary>
    public string CoordinationGroupId { get; set; } = DefaultGroupId;

    /// <summary>The one-partition topic whose partition 0 makes its holder the leader.</summary>
    public string CoordinationTopic { get; set; } = DefaultTopic;

    /// <summary>The compacted topic where leaders write restore checkpoints and offset maps for the next leader.</summary>
    public string CoordinationStateTopic { get; set; } = DefaultStateTopic;

    /// <summary>How long the coordinator waits for a silent member before handing its partition on (Kafka's session.timeout.ms).</summary>
    public TimeSpan CoordinationSessionTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>This daemon's name among the members (status commit trailers, /healthz, the log); default: the host name.</summary>
    public string? InstanceId { get; set; }

    /// <summary>True when distributed mode is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CoordinationBootstrapServers);

    /// <summary>The instance id in force: the setting, else the host name.</summary>
    public string EffectiveInstanceId => string.IsNullOrWhiteSpace(InstanceId) ? Environment.MachineName : InstanceId;

    /// <summary>The bootstrap servers as a list.</summary>
    public IReadOnlyList<string> BootstrapList => (CoordinationBootstrapServers ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every problem with these settings, each naming the setting and what to write instead.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!Name().IsMatch(EffectiveInstanceId))
            errors.Add($"InstanceId '{EffectiveInstanceId}' must be 1-64 letters, digits, '.', '_' or '-' (it names this daemon in status commits); set InstanceId.");
        if (!Enabled)
        {
            var stray = Set().Where(s => s.Value).Select(s => s.Key).ToList();
            if (stray.Count > 0)
                errors.Add($"{string.Join(", ", stray)} take effect only in distributed mode: set CoordinationBootstrapServers, or remove them.");
            return errors;
        }
        foreach (var server in BootstrapList.Where(s => !HostPort().IsMatch(s)))
            errors.Add($"CoordinationBootstrapServers entry '{server}' is not host:port (e.g. kafka-1:9092,kafka-2:9092).");
        if (!Protocols.Contains(CoordinationSecurityProtocol))
            errors.Add($"CoordinationSecurityProtocol must be one of {string.Join(", ", Protocols)}, got '{CoordinationSecurityProtocol}'.");
        if (!Mechanisms.Contains(CoordinationSaslMechanism))
            errors.Add($"CoordinationSaslMechanism must be one of {string.Join(", ", Mechanisms)}, got '{CoordinationSaslMechanism}'.");
        var sasl = CoordinationSecurityProtocol.StartsWith("SASL", StringComparison.Ordinal);
        var tls = CoordinationSecurityProtocol.EndsWith("SSL", StringComparison.Ordinal);
        if (sasl && (CoordinationSaslUsernameFile is null || CoordinationSaslPasswordFile is null))
            errors.Add($"CoordinationSecurityProtocol {CoordinationSecurityProtocol} needs CoordinationSaslUsernameFile and CoordinationSaslPasswordFile (files holding the user name and password, mode 0600).");
        if (!sasl && (CoordinationSaslUsernameFile ?? CoordinationSaslPasswordFile) is not null)
            errors.Add($"CoordinationSaslUsernameFile and CoordinationSaslPasswordFile are used only with SASL_PLAINTEXT or SASL_SSL; CoordinationSecurityProtocol is {CoordinationSecurityProtocol}.");
        if (!tls && (CoordinationTlsCaFile ?? CoordinationTlsCertFile ?? CoordinationTlsKeyFile) is not null)
            errors.Add($"CoordinationTlsCaFile, CoordinationTlsCertFile and CoordinationTlsKeyFile are used only with SSL or SASL_SSL; CoordinationSecurityProtocol is {CoordinationSecurityProtocol}.");
        foreach (var (setting, file) in new[] { (nameof(CoordinationTlsCaFile), CoordinationTlsCaFile), (nameof(CoordinationTlsCertFile), CoordinationTlsCertFile) })
        {
            if (file is not null && !File.Exists(file)) errors.Add($"{setting} {file} does not exist; write the PEM file there or unset {setting}.");
        }
        if ((CoordinationTlsCertFile is null) != (CoordinationTlsKeyFile is null))
            errors.Add("CoordinationTlsCertFile and CoordinationTlsKeyFile go together (mutual TLS): set both or neither.");
        if (!Name().IsMatch(CoordinationGroupId))
            errors.Add($"CoordinationGroupId '{CoordinationGroupId}' must be 1-64 letters, digits, '.', '_' or '-'.");
        if (!TopicName().IsMatch(CoordinationTopic) || CoordinationTopic is "." or "..")
            errors.Add($"CoordinationTopic '{CoordinationTopic}' is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-').");
        if (!TopicName().IsMatch(CoordinationStateTopic) || CoordinationStateTopic is "." or "..")
            errors.Add($"CoordinationStateTopic '{CoordinationStateTopic}' is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-').");
        else if (CoordinationStateTopic == CoordinationTopic)
            errors.Add($"CoordinationStateTopic and CoordinationTopic are both '{CoordinationTopic}': the state topic needs a name of its own.");
        if (CoordinationSessionTimeout < TimeSpan.FromSeconds(1) || CoordinationSessionTimeout > TimeSpan.FromMinutes(30))
            errors.Add($"CoordinationSessionTimeout must be between 00:00:01 and 00:30:00 (brokers allow 6 s to 30 min by default), got {CoordinationSessionTimeout}.");
        return errors;
    }

    private IEnumerable<KeyValuePair<string, bool>> Set() =>
    [
        new(nameof(CoordinationSaslUsernameFile), CoordinationSaslUsernameFile is not null), new(nameof(CoordinationSaslPasswordFile), CoordinationSaslPasswordFile is not null),
        new(nameof(CoordinationTlsCaFile), CoordinationTlsCaFile is not null), new(nameof(CoordinationTlsCertFile), CoordinationTlsCertFile is not null),
        new(nameof(CoordinationTlsKeyFile), CoordinationTlsKeyFile is not null), new(nameof(CoordinationSecurityProtocol), CoordinationSecurityProtocol != "PLAINTEXT"),
        new(nameof(CoordinationGroupId), CoordinationGroupId != DefaultGroupId), new(nameof(CoordinationTopic), CoordinationTopic != DefaultTopic),
        new(nameof(CoordinationStateTopic), CoordinationStateTopic != DefaultStateTopic),
    ];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicName();

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$")]
    private static partial Regex HostPort();
}
