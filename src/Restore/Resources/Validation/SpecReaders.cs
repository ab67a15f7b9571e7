using System.Text.RegularExpressions;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>The spec blocks of the three kinds (SPEC section 3), each read from a <see cref="MapReader"/>.</summary>
internal static partial class SpecReaders
{
    internal static readonly string[] RestoreFields =
    [
        "backupId", "targetCluster", "storage", "topics", "topicMapping", "pitr", "includeOriginalOffsetHeader",
        "offsetReset", "rollback", "resources", "job", "podTemplate", "onExistingData",
    ];

    internal static readonly string[] OffsetResetFields =
    [
        "kafkaCluster", "consumerGroups", "topics", "strategy", "timestamp", "offset", "sourceCluster", "backupId",
        "storage", "topicMapping", "snapshotBeforeReset",
    ];

    internal static readonly string[] OffsetRollbackFields = ["kafkaCluster", "operation", "snapshotId", "consumerGroups"];

    private static readonly string[] ClusterFields = ["bootstrapServers", "securityProtocol", "tlsSecret", "saslSecret", "replicationFactor"];
    private static readonly string[] TlsFields = ["name", "caKey", "certKey", "keyKey"];
    private static readonly string[] SaslFields = ["name", "mechanism", "usernameKey", "passwordKey"];
    private static readonly string[] StorageFields = ["storageType", "s3", "filesystem"];
    private static readonly string[] S3Fields = ["bucket", "region", "prefix", "endpoint", "forcePathStyle", "credentialsSecret"];
    private static readonly string[] S3CredentialFields = ["name", "accessKeyKey", "secretKeyKey"];
    private static readonly string[] FilesystemFields = ["path"];
    private static readonly string[] PitrFields = ["enabled", "timestamp", "timestampMillis"];
    private static readonly string[] RestoreOffsetResetFields = ["enabled", "strategy", "sourceCluster", "consumerGroups", "timestamp", "offset"];
    private static readonly string[] SnapshotFields = ["enabled", "snapshotId"];
    private static readonly string[] ResourcesFields = ["requests", "limits"];
    private static readonly string[] QuantityFields = ["cpu", "memory"];
    private static readonly string[] HeaderBasedOnlyFields = ["backupId", "storage", "topicMapping"];
    private static readonly string[] JobFields = ["backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"];
    private static readonly string[] PodTemplateFields = ["annotations", "labels", "nodeSelector", "tolerations"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect", "tolerationSeconds"];

    // Kubernetes' spellings; the index is the value so the text can be kept as given.
    private static readonly (string Text, int Value)[] TolerationOperators = [("Exists", 0), ("Equal", 1)];
    private static readonly (string Text, int Value)[] TolerationEffects = [("NoSchedule", 0), ("PreferNoSchedule", 1), ("NoExecute", 2)];

    internal static readonly (string, SecurityProtocol)[] Protocols =
    [
        ("PLAINTEXT", SecurityProtocol.Plaintext), ("SSL", SecurityProtocol.Ssl),
        ("SASL_PLAINTEXT", SecurityProtocol.SaslPlaintext), ("SASL_SSL", SecurityProtocol.SaslSsl),
    ];

    internal static readonly (string, SaslMechanism)[] Mechanisms =
    [
        ("PLAIN", SaslMechanism.Plain), ("SCRAM-SHA-256", SaslMechanism.ScramSha256), ("SCRAM-SHA-512", SaslMechanism.ScramSha512),
    ];

    internal static readonly (string, StorageType)[] StorageTypes = [("s3", StorageType.S3), ("filesystem", StorageType.Filesystem)];

    internal static readonly (string, OffsetResetStrategy)[] Strategies =
    [
        ("earliest", OffsetResetStrategy.Earliest), ("latest", OffsetResetStrategy.Latest),
        ("timestamp", OffsetResetStrategy.Timestamp), ("offset", OffsetResetStrategy.Offset),
        ("headerBased", OffsetResetStrategy.HeaderBased),
    ];

    internal static readonly (string, RollbackOperation)[] Operations =
        [("rollback", RollbackOperation.Rollback), ("snapshot", RollbackOperation.Snapshot)];

    internal static readonly (string, OnExistingData)[] ExistingDataPolicies =
        [("fail", OnExistingData.Fail), ("append", OnExistingData.Append)];

    public static IReadOnlyList<string> FieldsOf(string kind) => kind switch
    {
        ResourceKinds.KafkaRestore => RestoreFields,
        ResourceKinds.KafkaOffsetReset => OffsetResetFields,
        _ => OffsetRollbackFields,
    };

    // ---- KafkaRestore ----

    public static KafkaRestoreSpec? Restore(MapReader spec, string name)
    {
        var errorsBefore = spec.Ctx.ErrorCount;
        var backupId = BackupId(spec, required: true);
        var cluster = Cluster(spec, "targetCluster", required: true, replicationFactorUsed: true);
        var storage = Storage(spec, required: true);
        var topics = Topics(spec, required: false, "omit topics to restore every topic in the backup");
        var mapping = TopicMapping(spec, topics);
        var pitr = Pitr(spec);
        var includeHeader = spec.Bool("includeOriginalOffsetHeader") ?? false;
        var offsetReset = RestoreOffsetReset(spec);
        var rollback = Rollback(spec, name, offsetReset.Groups);
        var resources = ResourceBudget(spec);
        var job = Job(spec);
        var podTemplate = PodTemplate(spec);
        var onExisting = spec.Enum("onExistingData", ExistingDataPolicies) ?? OnExistingData.Fail;
        if (spec.Ctx.ErrorCount > errorsBefore) return null;
        return new KafkaRestoreSpec(backupId!, cluster!, storage!,
            topics is null ? null : new ValueList<string>(topics.Select(t => t.Value)),
            mapping, pitr, includeHeader, offsetReset.Spec, rollback, resources, job, podTemplate, onExisting);
    }

    private static string? BackupId(MapReader m, bool required)
    {
        var id = m.String("backupId", required, "name the backup to restore, as in {prefix/}{backupId}/manifest.json");
        if (id is null || Names.IsBackupId(id)) return id;
        m.Ctx.Error(m.Value("backupId")!.Start, DiagnosticCodes.InvalidBackupId,
            $"{m.FieldPath("backupId")} \"{MapReader.Truncate(id)}\" cannot name a backup folder: no '/', '\\', " +
            "control characters, surrounding spaces, \".\" or \"..\"; at most 255 characters");
        return null;
    }

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
        var protocol = m.Enum("securityProtocol", Protocols);
        var effective = protocol ?? SecurityProtocol.Plaintext;
        var tls = TlsSecret(m);
        var sasl = SaslSecret(m);
        var usesSasl = effective is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
        var usesTls = effective is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
        var protocolValid = protocol is not null || !m.Present("securityProtocol") || m.Value("securityProtocol") is null;
        if (protocolValid)
        {
            var protocolText = Protocols.First(p => p.Item2 == effective).Item1;
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
        var mechanism = m.Enum("mechanism", Mechanisms, required: true);
        var user = SecretKey(m, "usernameKey", false, "the username") ?? "username";
        var password = SecretKey(m, "passwordKey", false, "the password") ?? "password";
        return m.Ctx.ErrorCount > before ? null : new SaslSecretRef(name!, mechanism!.Value, user, password);
    }

    private static StorageSpec? Storage(MapReader parent, bool required)
    {
        var m = parent.Map("storage", StorageFields, required, "say where the backup is (storageType s3 or filesystem)");
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var type = m.Enum("storageType", StorageTypes, required: true);
        var s3 = S3(m);
        var fs = Filesystem(m);
        if (type == StorageType.S3)
        {
            if (!m.Present("s3")) m.Missing("s3", "storageType s3 needs an s3 block with at least bucket");
            if (m.Present("filesystem"))
            {
                m.Ctx.Error(m.KeyAt("filesystem"), DiagnosticCodes.ConflictingFields,
                    $"{m.FieldPath("filesystem")} is given but storageType is s3; remove one of them");
            }
        }
        else if (type == StorageType.Filesystem)
        {
            if (!m.Present("filesystem")) m.Missing("filesystem", "storageType filesystem needs filesystem.path");
            if (m.Present("s3"))
            {
                m.Ctx.Error(m.KeyAt("s3"), DiagnosticCodes.ConflictingFields,
                    $"{m.FieldPath("s3")} is given but storageType is filesystem; remove one of them");
            }
        }
        if (m.Ctx.ErrorCount > before) return null;
        return type == StorageType.S3 ? new StorageSpec(StorageType.S3, s3, null) : new StorageSpec(StorageType.Filesystem, null, fs);
    }

    private static S3StorageSpec? S3(MapReader storage)
    {
        var m = storage.Map("s3", S3Fields, required: false);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var bucket = m.String("bucket", required: true, hint: "name the S3 bucket holding the backups");
        if (bucket is not null && (bucket.Contains('/', StringComparison.Ordinal) || bucket.Contains(' ', StringComparison.Ordinal)))
        {
            m.Ctx.Error(m.Value("bucket")!.Start, DiagnosticCodes.InvalidS3Location,
                $"{m.FieldPath("bucket")} \"{MapReader.Truncate(bucket)}\" is not a bucket name: put the path inside the bucket in prefix");
        }
        var region = m.String("region");
        var prefix = m.String("prefix");
        var endpoint = m.String("endpoint");
        // User info, a query or a fragment would let the written text and the host actually reached differ, which the host policy matches on.
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0))
        {
            m.Ctx.Error(m.Value("endpoint")!.Start, DiagnosticCodes.InvalidS3Location,
                $"{m.FieldPath("endpoint")} \"{MapReader.Truncate(endpoint)}\" is not an http(s) URL without user info, query or fragment (e.g. https://minio.example.com:9000)");
        }
        var pathStyle = m.Bool("forcePathStyle") ?? false;
        S3CredentialsSecretRef? credentials = null;
        var c = m.Map("credentialsSecret", S3CredentialFields);
        if (c is not null)
        {
            var name = SecretName(c, "the S3 access key");
            var access = SecretKey(c, "accessKeyKey", true, "the access key id");
            var secret = SecretKey(c, "secretKeyKey", true, "the secret access key");
            if (name is not null && access is not null && secret is not null) credentials = new S3CredentialsSecretRef(name, access, secret);
        }
        return m.Ctx.ErrorCount > before ? null : new S3StorageSpec(bucket!, region, prefix, endpoint, pathStyle, credentials);
    }

    private static FilesystemStorageSpec? Filesystem(MapReader storage)
    {
        var m = storage.Map("filesystem", FilesystemFields, required: false);
        if (m is null) return null;
        var path = m.String("path", required: true, hint: "the absolute folder holding the backups, e.g. /var/backups/kafka");
        if (path is null) return null;
        if (!path.StartsWith('/') || !Path.IsPathFullyQualified(path))
        {
            m.Ctx.Error(m.Value("path")!.Start, DiagnosticCodes.InvalidPath,
                $"{m.FieldPath("path")} \"{MapReader.Truncate(path)}\" is not an absolute path; a daemon has no meaningful working directory");
            return null;
        }
        return new FilesystemStorageSpec(path);
    }

    private static List<(string Value, TextPosition At)>? Topics(MapReader m, bool required, string hint)
    {
        var topics = m.StringList("topics", required, hint);
        foreach (var (topic, at) in topics ?? [])
        {
            if (!Names.IsTopicName(topic))
                m.Ctx.Error(at, DiagnosticCodes.InvalidTopicName, TopicMessage($"{m.FieldPath("topics")} entry", topic));
        }
        return topics;
    }

    private static string TopicMessage(string what, string topic) =>
        $"{what} \"{MapReader.Truncate(topic)}\" is not a Kafka topic name: use letters, digits, '.', '_' and '-', at most 249 characters";

    private static ValueMap TopicMapping(MapReader m, List<(string Value, TextPosition At)>? topics)
    {
        var entries = m.StringMap("topicMapping");
        if (entries is null) return ValueMap.Empty;
        var path = m.FieldPath("topicMapping");
        var before = m.Ctx.ErrorCount;
        var listed = topics?.Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        var bySource = new Dictionary<string, (string Target, TextPosition TargetAt)>(StringComparer.Ordinal);
        foreach (var (source, sourceAt, target, targetAt) in entries)
        {
            bySource[source] = (target, targetAt);
            if (!Names.IsTopicName(source))
                m.Ctx.Error(sourceAt, DiagnosticCodes.InvalidTopicName, TopicMessage($"{path} source", source));
            if (!Names.IsTopicName(target))
                m.Ctx.Error(targetAt, DiagnosticCodes.InvalidTopicName, TopicMessage($"{path} target", target));
            if (listed is not null && !listed.Contains(source))
            {
                m.Ctx.Error(sourceAt, DiagnosticCodes.MappingSourceNotInTopics,
                    $"{path} maps \"{MapReader.Truncate(source)}\", which is not in {m.FieldPath("topics")}; add it there or remove the mapping");
            }
        }
        // Every restored topic lands somewhere: two landing in one place would interleave their partitions.
        var landing = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = topics?.Select(t => t.Value) ?? entries.Select(e => e.Key);
        foreach (var source in sources)
        {
            var mapped = bySource.TryGetValue(source, out var entry);
            var target = mapped ? entry.Target : source;
            if (landing.TryGetValue(target, out var other))
            {
                // Point at a mapping line: this source's, or else the other source's (an unmapped topic has none).
                var at = mapped ? entry.TargetAt : bySource[other].TargetAt;
                m.Ctx.Error(at, DiagnosticCodes.DuplicateMappingTarget,
                    $"{path} restores both \"{MapReader.Truncate(other)}\" and \"{MapReader.Truncate(source)}\" into topic " +
                    $"\"{MapReader.Truncate(target)}\"; give each source its own target");
                continue;
            }
            landing[target] = source;
        }
        return m.Ctx.ErrorCount > before ? ValueMap.Empty : new ValueMap(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
    }

    private static bool EnabledFlag(MapReader m, string block)
    {
        var enabled = m.Bool("enabled");
        if (!m.Present("enabled") && m.Keys.Any())
        {
            m.Ctx.Warning(m.At, DiagnosticCodes.EnabledNotSet,
                $"{block} has settings but no enabled, so it is off; write enabled: true to use it (or enabled: false to keep it off)");
        }
        return enabled ?? false;
    }

    private static PitrSpec? Pitr(MapReader spec)
    {
        var m = spec.Map("pitr", PitrFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var ts = m.Timestamp("timestamp");
        var ms = m.Integer("timestampMillis", 0, long.MaxValue);
        if (m.Value("timestamp") is not null && m.Value("timestampMillis") is not null)
        {
            m.Ctx.Error(m.KeyAt("timestampMillis"), DiagnosticCodes.ConflictingFields,
                $"{m.Path} gives both timestamp and timestampMillis; keep exactly one");
        }
        else if (enabled && m.Value("timestamp") is null && m.Value("timestampMillis") is null)
        {
            m.Ctx.Error(spec.KeyAt("pitr"), DiagnosticCodes.RequiredField,
                $"{m.Path} is enabled but gives no cutoff: add timestamp (ISO 8601 with zone) or timestampMillis");
        }
        return m.Ctx.ErrorCount > before ? null : new PitrSpec(enabled, ts, ms);
    }

    private static List<(string Value, TextPosition At)>? Groups(MapReader m, bool required, string hint, bool allowEmpty = false)
    {
        var groups = m.StringList("consumerGroups", required, hint, allowEmpty);
        foreach (var (g, at) in groups ?? [])
        {
            if (!Names.IsGroupId(g))
            {
                m.Ctx.Error(at, DiagnosticCodes.InvalidGroupName,
                    $"{m.FieldPath("consumerGroups")} entry \"{MapReader.Truncate(g)}\" is not a consumer group id (no control characters, at most 255)");
            }
        }
        return groups;
    }

    /// <summary>timestamp and offset apply to one strategy each: required there, a warning elsewhere.</summary>
    private static (DateTimeOffset? Timestamp, long? Offset) StrategyValues(MapReader m, OffsetResetStrategy? strategy, bool active)
    {
        var ts = m.Timestamp("timestamp", required: active && strategy == OffsetResetStrategy.Timestamp,
            hint: "strategy timestamp resets to the first offset at or after this time");
        var offset = m.Integer("offset", 0, long.MaxValue, required: active && strategy == OffsetResetStrategy.Offset,
            hint: "strategy offset resets to this offset (clamped to each partition's range)");
        if (strategy is { } s)
        {
            var name = Strategies.First(x => x.Item2 == s).Item1;
            if (s != OffsetResetStrategy.Timestamp && m.Present("timestamp"))
            {
                m.Ctx.Warning(m.KeyAt("timestamp"), DiagnosticCodes.UnusedField,
                    $"{m.FieldPath("timestamp")} is used only by strategy timestamp; strategy {name} ignores it");
            }
            if (s != OffsetResetStrategy.Offset && m.Present("offset"))
            {
                m.Ctx.Warning(m.KeyAt("offset"), DiagnosticCodes.UnusedField,
                    $"{m.FieldPath("offset")} is used only by strategy offset; strategy {name} ignores it");
            }
        }
        return (ts, offset);
    }

    private static (OffsetResetSpec? Spec, List<(string Value, TextPosition At)>? Groups) RestoreOffsetReset(MapReader spec)
    {
        var m = spec.Map("offsetReset", RestoreOffsetResetFields);
        if (m is null) return (null, []);
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var strategy = m.Enum("strategy", Strategies, required: true);
        var groups = Groups(m, required: enabled, hint: "list the consumer groups to reset", allowEmpty: !enabled);
        if (groups is null && m.Value("consumerGroups") is null) groups = [];
        var (ts, offset) = StrategyValues(m, strategy, enabled);
        var source = m.String("sourceCluster");
        if (m.Ctx.ErrorCount > before) return (null, groups);
        var list = new ValueList<string>((groups ?? []).Select(g => g.Value));
        return (new OffsetResetSpec(enabled, strategy!.Value, source, list, ts, offset), groups);
    }

    private static string? SnapshotId(MapReader m, bool enabled, string defaultId, TextPosition blockAt)
    {
        var id = m.String("snapshotId");
        if (id is not null && !Names.IsSnapshotId(id))
        {
            m.Ctx.Error(m.Value("snapshotId")!.Start, DiagnosticCodes.InvalidSnapshotId, SnapshotMessage(m.FieldPath("snapshotId"), id));
            return null;
        }
        if (id is null && enabled)
        {
            if (!Names.IsSnapshotId(defaultId))
            {
                m.Ctx.Error(blockAt, DiagnosticCodes.InvalidSnapshotId,
                    $"the default snapshot id \"{MapReader.Truncate(defaultId)}\" is too long; set {m.FieldPath("snapshotId")}");
                return null;
            }
            return defaultId;
        }
        return id;
    }

    internal static string SnapshotMessage(string path, string id) =>
        $"{path} \"{MapReader.Truncate(id)}\" cannot name snapshots/<id>.yaml: use letters, digits, '.', '_' and '-', " +
        $"starting and ending with a letter or digit, at most {Names.MaxSnapshotIdLength} characters";

    private static RollbackSpec? Rollback(MapReader spec, string name, List<(string Value, TextPosition At)>? groups)
    {
        var m = spec.Map("rollback", SnapshotFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var id = SnapshotId(m, enabled, name + "-pre-restore", spec.KeyAt("rollback"));
        if (enabled && groups is { Count: 0 })
        {
            m.Ctx.Error(m.KeyAt("enabled"), DiagnosticCodes.RequiredField,
                "rollback.enabled needs offsetReset.consumerGroups: the snapshot records those groups' committed offsets");
        }
        return m.Ctx.ErrorCount > before ? null : new RollbackSpec(enabled, id);
    }

    private static ResourcesSpec? ResourceBudget(MapReader spec)
    {
        var m = spec.Map("resources", ResourcesFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var requests = QuantityBlock(m, "requests");
        var limits = QuantityBlock(m, "limits");
        if (requests is not null && limits is not null)
        {
            if (requests.CpuMillis > limits.CpuMillis)
            {
                m.Ctx.Error(m.Map("requests", QuantityFields)!.KeyAt("cpu"), DiagnosticCodes.RequestExceedsLimit,
                    $"{m.FieldPath("requests.cpu")} is more than {m.FieldPath("limits.cpu")}; a request cannot exceed its limit");
            }
            if (requests.MemoryBytes > limits.MemoryBytes)
            {
                m.Ctx.Error(m.Map("requests", QuantityFields)!.KeyAt("memory"), DiagnosticCodes.RequestExceedsLimit,
                    $"{m.FieldPath("requests.memory")} is more than {m.FieldPath("limits.memory")}; a request cannot exceed its limit");
            }
        }
        return m.Ctx.ErrorCount > before ? null : new ResourcesSpec(requests, limits);
    }

    private static ResourceQuantities? QuantityBlock(MapReader resources, string key)
    {
        var m = resources.Map(key, QuantityFields);
        if (m is null) return null;
        long? cpu = null;
        long? memory = null;
        var ok = true;
        if (m.Value("cpu") is { } cpuNode)
        {
            if (QuantityText(m, "cpu", cpuNode) is { } text)
            {
                if (Quantities.TryParseCpuMillis(text, out var v)) cpu = v;
                else ok = BadQuantity(m, "cpu", cpuNode, text, "a positive cpu amount such as 2, 0.5 or 500m");
            }
            else ok = false;
        }
        if (m.Value("memory") is { } memNode)
        {
            if (QuantityText(m, "memory", memNode) is { } text)
            {
                if (Quantities.TryParseBytes(text, out var v)) memory = v;
                else ok = BadQuantity(m, "memory", memNode, text, "a positive byte amount such as 512Mi, 2Gi, 1G or 1e9");
            }
            else ok = false;
        }
        return ok ? new ResourceQuantities(cpu, memory) : null;
    }

    private static string? QuantityText(MapReader m, string key, YNode node)
    {
        if (node is YScalar s && m.Ctx.CheckTag(s, m.FieldPath(key))) return s.Value;
        if (node is not YScalar)
            m.Ctx.Error(node.Start, DiagnosticCodes.InvalidType, $"{m.FieldPath(key)} must be a quantity, not {node.Describe()}");
        return null;
    }

    private static bool BadQuantity(MapReader m, string key, YNode node, string text, string expected)
    {
        m.Ctx.Error(node.Start, DiagnosticCodes.InvalidQuantity,
            $"{m.FieldPath(key)} is \"{MapReader.Truncate(text)}\"; write {expected}");
        return false;
    }

    private static JobSpec Job(MapReader spec)
    {
        var m = spec.Map("job", JobFields);
        if (m is null) return JobSpec.Default;
        var backoff = m.Integer("backoffLimit", 0, int.MaxValue);
        var deadline = m.Integer("activeDeadlineSeconds", 1, long.MaxValue / 1000, rangeHint: "a positive number of seconds");
        var ttl = m.Integer("ttlSecondsAfterFinished", 0, long.MaxValue / 1000);
        return new JobSpec((int)(backoff ?? JobSpec.Default.BackoffLimit), deadline, ttl);
    }

    private static PodTemplateSpec? PodTemplate(MapReader spec)
    {
        if (!spec.Present("podTemplate")) return null;
        var before = spec.Ctx.ErrorCount;
        if (spec.Value("podTemplate") is null or YMapping)
        {
            spec.Ctx.Warning(spec.KeyAt("podTemplate"), DiagnosticCodes.IgnoredField,
                "podTemplate has no meaning outside Kubernetes: it is accepted and ignored (status names it under IgnoredFields)");
        }
        var m = spec.Map("podTemplate", PodTemplateFields);
        if (m is null) return spec.Ctx.ErrorCount > before ? null : PodTemplateSpec.Empty;
        var annotations = m.StringMap("annotations");
        var labels = m.StringMap("labels");
        var nodeSelector = m.StringMap("nodeSelector");
        var tolerations = Tolerations(m);
        if (spec.Ctx.ErrorCount > before) return null;
        static ValueMap Values(List<(string Key, TextPosition KeyAt, string Value, TextPosition ValueAt)>? pairs) =>
            pairs is null ? ValueMap.Empty : new ValueMap(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));
        return new PodTemplateSpec(Values(annotations), Values(labels), Values(nodeSelector),
            new ValueList<Toleration>(tolerations));
    }

    private static List<Toleration> Tolerations(MapReader podTemplate)
    {
        var result = new List<Toleration>();
        var v = podTemplate.Value("tolerations");
        if (v is null) return result;
        var path = podTemplate.FieldPath("tolerations");
        if (v is not YSequence seq)
        {
            podTemplate.Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{path} must be a list of tolerations, not {v.Describe()}");
            return result;
        }
        podTemplate.Ctx.CheckTag(seq, path);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            if (item is YScalar { IsNull: true })
            {
                podTemplate.Ctx.Error(item.Start, DiagnosticCodes.RequiredField, $"{path}[{i}] is empty");
                continue;
            }
            var t = MapReader.Open(podTemplate.Ctx, item, $"{path}[{i}]", item.Start, TolerationFields);
            if (t is null) continue;
            var op = t.Enum("operator", TolerationOperators);
            var effect = t.Enum("effect", TolerationEffects);
            // Kubernetes gives an empty key and value meanings (match every taint key; operator Exists).
            result.Add(new Toleration(t.String("key", allowEmpty: true), op is null ? null : TolerationOperators[op.Value].Text,
                t.String("value", allowEmpty: true),
                effect is null ? null : TolerationEffects[effect.Value].Text, t.Integer("tolerationSeconds", long.MinValue, long.MaxValue)));
        }
        return result;
    }

    // ---- KafkaOffsetReset ----

    public static KafkaOffsetResetSpec? OffsetReset(MapReader spec, string name)
    {
        var before = spec.Ctx.ErrorCount;
        var cluster = Cluster(spec, "kafkaCluster", required: true, replicationFactorUsed: false);
        var groups = Groups(spec, required: true, hint: "list the consumer groups to reset");
        var strategy = spec.Enum("strategy", Strategies, required: true);
        var headerBased = strategy == OffsetResetStrategy.HeaderBased;
        var topics = Topics(spec, required: strategy is not null && !headerBased,
            hint: "list the topics whose committed offsets to reset");
        var (ts, offset) = StrategyValues(spec, strategy, active: true);
        var source = spec.String("sourceCluster");
        var backupId = BackupId(spec, required: headerBased);
        var storage = Storage(spec, required: headerBased);
        var mapping = TopicMapping(spec, topics);
        if (strategy is not null && !headerBased)
        {
            foreach (var unused in HeaderBasedOnlyFields.Where(spec.Present))
            {
                spec.Ctx.Warning(spec.KeyAt(unused), DiagnosticCodes.UnusedField,
                    $"{spec.FieldPath(unused)} is used only by strategy headerBased; it is ignored here");
            }
        }
        SnapshotBeforeResetSpec? snapshot = null;
        var snap = spec.Map("snapshotBeforeReset", SnapshotFields);
        if (snap is not null)
        {
            var enabled = EnabledFlag(snap, snap.Path);
            var id = SnapshotId(snap, enabled, name + "-pre-reset", spec.KeyAt("snapshotBeforeReset"));
            snapshot = new SnapshotBeforeResetSpec(enabled, id);
        }
        if (spec.Ctx.ErrorCount > before) return null;
        return new KafkaOffsetResetSpec(cluster!, new ValueList<string>(groups!.Select(g => g.Value)),
            topics is null ? ValueList<string>.Empty : new ValueList<string>(topics.Select(t => t.Value)),
            strategy!.Value, ts, offset, source, backupId, storage, mapping, snapshot);
    }

    // ---- KafkaOffsetRollback ----

    public static KafkaOffsetRollbackSpec? OffsetRollback(MapReader spec)
    {
        var before = spec.Ctx.ErrorCount;
        var cluster = Cluster(spec, "kafkaCluster", required: true, replicationFactorUsed: false);
        var operation = spec.Enum("operation", Operations, required: true);
        var id = spec.String("snapshotId", required: true, hint: "name the snapshot to roll back to (or to take)");
        if (id is not null && !Names.IsSnapshotId(id))
        {
            spec.Ctx.Error(spec.Value("snapshotId")!.Start, DiagnosticCodes.InvalidSnapshotId, SnapshotMessage(spec.FieldPath("snapshotId"), id));
        }
        var groups = Groups(spec, required: operation == RollbackOperation.Snapshot,
            hint: "operation snapshot records the committed offsets of the listed groups");
        if (spec.Ctx.ErrorCount > before) return null;
        return new KafkaOffsetRollbackSpec(cluster!, operation!.Value, id!,
            groups is null ? ValueList<string>.Empty : new ValueList<string>(groups.Select(g => g.Value)));
    }
}
