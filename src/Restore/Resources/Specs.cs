namespace KafkaRestored.Restore.Resources;

/// <summary>spec of a KafkaRestore. Every field validated; typed values parsed once.</summary>
public sealed record KafkaRestoreSpec(
    string BackupId,
    KafkaClusterSpec TargetCluster,
    StorageSpec Storage,
    ValueList<string>? Topics,
    ValueMap TopicMapping,
    PitrSpec? Pitr,
    bool IncludeOriginalOffsetHeader,
    OffsetResetSpec? OffsetReset,
    RollbackSpec? Rollback,
    ResourcesSpec? Resources,
    JobSpec Job,
    PodTemplateSpec? PodTemplate,
    OnExistingData OnExistingData);

/// <summary>spec of a KafkaOffsetReset.</summary>
public sealed record KafkaOffsetResetSpec(
    KafkaClusterSpec KafkaCluster,
    ValueList<string> ConsumerGroups,
    ValueList<string> Topics,
    OffsetResetStrategy Strategy,
    DateTimeOffset? Timestamp,
    long? Offset,
    string? SourceCluster,
    string? BackupId,
    StorageSpec? Storage,
    ValueMap TopicMapping,
    SnapshotBeforeResetSpec? SnapshotBeforeReset);

/// <summary>spec of a KafkaOffsetRollback.</summary>
public sealed record KafkaOffsetRollbackSpec(
    KafkaClusterSpec KafkaCluster,
    RollbackOperation Operation,
    string SnapshotId,
    ValueList<string> ConsumerGroups);

/// <summary>A Kafka cluster to talk to (targetCluster / kafkaCluster).</summary>
public sealed record KafkaClusterSpec(
    ValueList<string> BootstrapServers,
    SecurityProtocol SecurityProtocol,
    TlsSecretRef? TlsSecret,
    SaslSecretRef? SaslSecret,
    short? ReplicationFactor);

/// <summary>TLS material in a secret: CA, and for mutual TLS a certificate and key.</summary>
public sealed record TlsSecretRef(string Name, string? CaKey, string? CertKey, string? KeyKey);

/// <summary>SASL credentials in a secret. Keys default to "username" and "password".</summary>
public sealed record SaslSecretRef(string Name, SaslMechanism Mechanism, string UsernameKey, string PasswordKey);

/// <summary>Where the backup lives.</summary>
public sealed record StorageSpec(StorageType StorageType, S3StorageSpec? S3, FilesystemStorageSpec? Filesystem);

/// <summary>An S3 (or S3-compatible) location: bucket plus optional prefix.</summary>
public sealed record S3StorageSpec(
    string Bucket,
    string? Region,
    string? Prefix,
    string? Endpoint,
    bool ForcePathStyle,
    S3CredentialsSecretRef? CredentialsSecret);

/// <summary>S3 keys in a secret.</summary>
public sealed record S3CredentialsSecretRef(string Name, string AccessKeyKey, string SecretKeyKey);

/// <summary>A local or mounted folder holding backups (extension).</summary>
public sealed record FilesystemStorageSpec(string Path);

/// <summary>Point-in-time recovery: keep records at or before the cutoff (inclusive).</summary>
public sealed record PitrSpec(bool Enabled, DateTimeOffset? Timestamp, long? TimestampMillis)
{
    /// <summary>The cutoff in Unix milliseconds, whichever way it was given; null when disabled.</summary>
    public long? CutoffMillis => !Enabled ? null : TimestampMillis ?? Timestamp?.ToUnixTimeMilliseconds();
}

/// <summary>Offset reset after a restore (and the vocabulary of KafkaOffsetReset).</summary>
public sealed record OffsetResetSpec(
    bool Enabled,
    OffsetResetStrategy Strategy,
    string? SourceCluster,
    ValueList<string> ConsumerGroups,
    DateTimeOffset? Timestamp,
    long? Offset);

/// <summary>Snapshot committed offsets before the restore writes anything.</summary>
public sealed record RollbackSpec(bool Enabled, string? SnapshotId);

/// <summary>Snapshot before a standalone reset.</summary>
public sealed record SnapshotBeforeResetSpec(bool Enabled, string? SnapshotId);

/// <summary>Kubernetes resource requests/limits, mapped onto the restore's own budget.</summary>
public sealed record ResourcesSpec(ResourceQuantities? Requests, ResourceQuantities? Limits);

/// <summary>cpu in millicores, memory in bytes, parsed from Kubernetes quantities.</summary>
public sealed record ResourceQuantities(long? CpuMillis, long? MemoryBytes);

/// <summary>Retry, deadline and retention of a run.</summary>
public sealed record JobSpec(int BackoffLimit, long? ActiveDeadlineSeconds, long? TtlSecondsAfterFinished)
{
    /// <summary>Kubernetes' default backoffLimit.</summary>
    public static JobSpec Default { get; } = new(3, null, null);
}

/// <summary>
/// podTemplate, the Kubernetes pod settings of the reference (annotations, labels, nodeSelector, tolerations).
/// Accepted and ignored outside Kubernetes (status names it); kept field by field so it round-trips.
/// </summary>
public sealed record PodTemplateSpec(ValueMap Annotations, ValueMap Labels, ValueMap NodeSelector, ValueList<Toleration> Tolerations)
{
    /// <summary>An empty <c>podTemplate: {}</c>.</summary>
    public static PodTemplateSpec Empty { get; } = new(ValueMap.Empty, ValueMap.Empty, ValueMap.Empty, ValueList<Toleration>.Empty);
}

/// <summary>One Kubernetes toleration of podTemplate (ignored outside Kubernetes); every field optional, as in Kubernetes.</summary>
public sealed record Toleration(string? Key, string? Operator, string? Value, string? Effect, long? TolerationSeconds);

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

/// <summary>storageType values.</summary>
public enum StorageType
{
    /// <summary>Amazon S3 or an S3-compatible store.</summary>
    S3,

    /// <summary>A local or mounted folder.</summary>
    Filesystem,
}

/// <summary>Offset reset strategies (SPEC 3.4).</summary>
public enum OffsetResetStrategy
{
    /// <summary>Log start offset.</summary>
    Earliest,

    /// <summary>End offset.</summary>
    Latest,

    /// <summary>First offset at or after a time.</summary>
    Timestamp,

    /// <summary>A given offset, clamped.</summary>
    Offset,

    /// <summary>Continue where the group stopped in the source cluster.</summary>
    HeaderBased,
}

/// <summary>KafkaOffsetRollback operations.</summary>
public enum RollbackOperation
{
    /// <summary>Re-commit a snapshot's offsets.</summary>
    Rollback,

    /// <summary>Record current committed offsets under a snapshot id.</summary>
    Snapshot,
}

/// <summary>What to do when a target partition already holds data (extension).</summary>
public enum OnExistingData
{
    /// <summary>Fail with TargetNotEmpty (default).</summary>
    Fail,

    /// <summary>Append after the existing data.</summary>
    Append,
}
