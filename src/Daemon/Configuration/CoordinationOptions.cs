using System.Text.RegularExpressions;
using KafkaRestored.Reconciler.Coordination;

namespace KafkaRestored.Daemon.Configuration;

/// <summary>
/// Distributed mode's settings (docs/distributed.md): the Kafka cluster whose group coordinator the daemons
/// of one deployment share, how to reach it, and this daemon's name. Unset <see cref="CoordinationBootstrapServers"/>
/// means single-instance mode, where the Git lease (<see cref="Lease"/>) keeps a second daemon on the same repository
/// passive. Bound from the same sources as the others.
/// </summary>
public sealed partial class CoordinationOptions
{
    /// <summary>Default consumer group of the daemons of one deployment.</summary>
    public const string DefaultGroupId = "kafka-restored";

    /// <summary>Default name of the one-partition coordination topic.</summary>
    public const string DefaultTopic = "kafka-restored-coordination";

    /// <summary>Default name of the compacted topic holding the restores' shared checkpoints and offset maps.</summary>
    public const string DefaultStateTopic = "kafka-restored-state";

    /// <summary>Default name of the topic whose partitions are the slots of work units.</summary>
    public const string DefaultUnitsTopic = "kafka-restored-units";

    /// <summary>Default partition count of the units topic when the daemon creates it.</summary>
    public const int DefaultUnitsPartitions = 12;

    /// <summary>Default of <see cref="CoordinationSpreadMinRecords"/>.</summary>
    public const long DefaultSpreadMinRecords = 1_000_000;

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

    /// <summary>The topic whose partitions (slots) carry the restores' work units over the members; empty: nothing is spread, the leader writes every restore itself.</summary>
    public string CoordinationUnitsTopic { get; set; } = DefaultUnitsTopic;

    /// <summary>How many partitions (slots) the daemon gives the units topic when it creates it; an existing topic keeps its own count.</summary>
    public int CoordinationUnitsPartitions { get; set; } = DefaultUnitsPartitions;

    /// <summary>
    /// Restores that select fewer records than this are written by the leader alone, not spread: spreading costs every member
    /// a preflight and a read of the shared state (seconds), more than a small restore gains. 0 spreads every restore.
    /// </summary>
    public long CoordinationSpreadMinRecords { get; set; } = DefaultSpreadMinRecords;

    /// <summary>True when restores are spread over the members (distributed mode with a units topic).</summary>
    public bool UnitsEnabled => Enabled && CoordinationUnitsTopic.Length > 0;

    /// <summary>How long the coordinator waits for a silent member before handing its partition on (Kafka's session.timeout.ms).</summary>
    public TimeSpan CoordinationSessionTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>This daemon's name among the members (status commit trailers, /healthz, the log); default: the host name.</summary>
    public string? InstanceId { get; set; }

    /// <summary>Without coordination: hold a lease in a ref of the config remote, so that a second daemon on the repository stays passive (default true).</summary>
    public bool Lease { get; set; } = true;

    /// <summary>The ref of the config remote holding the lease.</summary>
    public string LeaseRef { get; set; } = GitLease.DefaultRef;

    /// <summary>How long another daemon waits, having seen the lease unrenewed, before it takes over; the holder renews every third of it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>True when the Git lease is in force: single-instance mode with <see cref="Lease"/> on.</summary>
    public bool LeaseEnabled => !Enabled && Lease;

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
            if (Lease) errors.AddRange(LeaseProblems());
            return errors;
        }
        var leaseSet = LeaseSet().Where(s => s.Value).Select(s => s.Key).ToList();
        if (leaseSet.Count > 0)
            errors.Add($"{string.Join(", ", leaseSet)} take effect only without CoordinationBootstrapServers (distributed mode needs no Git lease): remove them.");
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
        if (CoordinationUnitsTopic.Length > 0)
        {
            if (!TopicName().IsMatch(CoordinationUnitsTopic) || CoordinationUnitsTopic is "." or "..")
                errors.Add($"CoordinationUnitsTopic '{CoordinationUnitsTopic}' is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-'); set it to \"\" to spread nothing.");
            else if (CoordinationUnitsTopic == CoordinationTopic || CoordinationUnitsTopic == CoordinationStateTopic)
                errors.Add($"CoordinationUnitsTopic '{CoordinationUnitsTopic}' is also the coordination or state topic: the units topic needs a name of its own.");
        }
        if (CoordinationUnitsPartitions is < 1 or > 1000)
            errors.Add($"CoordinationUnitsPartitions must be between 1 and 1000 (the slots a restore is spread over), got {CoordinationUnitsPartitions}.");
        if (CoordinationSpreadMinRecords < 0)
            errors.Add($"CoordinationSpreadMinRecords must be 0 (spread every restore) or more, got {CoordinationSpreadMinRecords}.");
        if (CoordinationSessionTimeout < TimeSpan.FromSeconds(1) || CoordinationSessionTimeout > TimeSpan.FromMinutes(30))
            errors.Add($"CoordinationSessionTimeout must be between 00:00:01 and 00:30:00 (brokers allow 6 s to 30 min by default), got {CoordinationSessionTimeout}.");
        return errors;
    }

    /// <summary>The problem with <see cref="LeaseRef"/> being one of the branches the daemon reads or writes, or null.</summary>
    public string? LeaseRefProblem(string branch, string publishBranch)
    {
        if (!LeaseEnabled) return null;
        foreach (var b in new[] { branch, publishBranch }.Distinct(StringComparer.Ordinal))
        {
            if (LeaseRef == "refs/heads/" + b)
                return $"LeaseRef '{LeaseRef}' is the branch '{b}' the daemon reconciles or publishes status to; the lease needs a ref of its own (default {GitLease.DefaultRef}).";
        }
        return null;
    }

    private IEnumerable<string> LeaseProblems()
    {
        if (LeaseDuration < TimeSpan.FromSeconds(3) || LeaseDuration > TimeSpan.FromDays(1))
            yield return $"LeaseDuration must be between 00:00:03 and 1.00:00:00 (the holder renews every third of it), got {LeaseDuration}.";
        if (!ValidRefName(LeaseRef))
            yield return $"LeaseRef '{LeaseRef}' is not a Git ref name starting with refs/ (e.g. {GitLease.DefaultRef}); see git check-ref-format.";
    }

    /// <summary>git check-ref-format's rules, for a full name under refs/.</summary>
    private static bool ValidRefName(string name)
    {
        if (!name.StartsWith("refs/", StringComparison.Ordinal) || name.Length > 255) return false;
        if (name.EndsWith('/') || name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal) || name.Contains("@{", StringComparison.Ordinal)
            || name.Contains("//", StringComparison.Ordinal)) return false;
        if (name.Any(c => c < 0x21 || c == 0x7f || "~^:?*[\\".Contains(c))) return false;
        return name.Split('/').Skip(1).All(part => part.Length > 0 && !part.StartsWith('.') && !part.EndsWith(".lock", StringComparison.Ordinal));
    }

    private IEnumerable<KeyValuePair<string, bool>> LeaseSet() =>
    [
        new(nameof(Lease), !Lease), new(nameof(LeaseRef), LeaseRef != GitLease.DefaultRef),
        new(nameof(LeaseDuration), LeaseDuration != TimeSpan.FromSeconds(120)),
    ];

    private IEnumerable<KeyValuePair<string, bool>> Set() =>
    [
        new(nameof(CoordinationSaslUsernameFile), CoordinationSaslUsernameFile is not null), new(nameof(CoordinationSaslPasswordFile), CoordinationSaslPasswordFile is not null),
        new(nameof(CoordinationTlsCaFile), CoordinationTlsCaFile is not null), new(nameof(CoordinationTlsCertFile), CoordinationTlsCertFile is not null),
        new(nameof(CoordinationTlsKeyFile), CoordinationTlsKeyFile is not null), new(nameof(CoordinationSecurityProtocol), CoordinationSecurityProtocol != "PLAINTEXT"),
        new(nameof(CoordinationGroupId), CoordinationGroupId != DefaultGroupId), new(nameof(CoordinationTopic), CoordinationTopic != DefaultTopic),
        new(nameof(CoordinationStateTopic), CoordinationStateTopic != DefaultStateTopic),
        new(nameof(CoordinationUnitsTopic), CoordinationUnitsTopic != DefaultUnitsTopic),
        new(nameof(CoordinationUnitsPartitions), CoordinationUnitsPartitions != DefaultUnitsPartitions),
        new(nameof(CoordinationSpreadMinRecords), CoordinationSpreadMinRecords != DefaultSpreadMinRecords),
    ];

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicName();

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$")]
    private static partial Regex HostPort();
}
