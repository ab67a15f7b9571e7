using KafkaRestored.Restore.Resources.Policy;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>The stable codes a <see cref="Diagnostic"/> carries; docs/resources.md explains each.</summary>
public static class DiagnosticCodes
{
    // Files and YAML syntax.

    /// <summary>A path given to the loader does not exist.</summary>
    public const string PathNotFound = "PathNotFound";

    /// <summary>A file could not be read (permissions, I/O).</summary>
    public const string FileUnreadable = "FileUnreadable";

    /// <summary>A file is larger than <see cref="ResourceLimits.MaxFileChars"/>.</summary>
    public const string FileTooLarge = "FileTooLarge";

    /// <summary>A resource file in the repository is a symbolic link; links are never followed.</summary>
    public const string SymlinkNotFollowed = "SymlinkNotFollowed";

    /// <summary>A file named *.yaml/*.yml holds binary data, not text.</summary>
    public const string BinaryFile = "BinaryFile";

    /// <summary>The text is not well-formed YAML (including tabs used for indentation).</summary>
    public const string YamlSyntax = "YamlSyntax";

    /// <summary>A resource document is larger than <see cref="ResourceLimits.MaxDocumentChars"/> or holds
    /// more than <see cref="ResourceLimits.MaxDocumentNodes"/> nodes.</summary>
    public const string DocumentTooLarge = "DocumentTooLarge";

    /// <summary>Collections nest deeper than <see cref="ResourceLimits.MaxDepth"/>.</summary>
    public const string NestingTooDeep = "NestingTooDeep";

    /// <summary>Aliases expand to more than <see cref="ResourceLimits.MaxDocumentNodes"/> nodes ("billion laughs").</summary>
    public const string AliasExpansionTooLarge = "AliasExpansionTooLarge";

    /// <summary>An alias names no earlier anchor, or refers to a collection that contains it.</summary>
    public const string InvalidAlias = "InvalidAlias";

    /// <summary>A mapping repeats a key.</summary>
    public const string DuplicateKey = "DuplicateKey";

    /// <summary>A tag other than the standard YAML ones (!!str, !!int, ...).</summary>
    public const string UnsupportedTag = "UnsupportedTag";

    // Document shape.

    /// <summary>An apiVersion close to kafka.oso.sh/v1alpha1 but not it (a typo, a case variant, another version of
    /// the kafka.oso.sh group): the document is not executed, with a "did you mean" hint.</summary>
    public const string UnknownApiVersion = "UnknownApiVersion";

    /// <summary>apiVersion kafka.oso.sh/v1alpha1 with a kind this product does not know.</summary>
    public const string UnknownKind = "UnknownKind";

    /// <summary>A field the schema does not have (typo protection, with a "did you mean" hint).</summary>
    public const string UnknownField = "UnknownField";

    /// <summary>A required field is missing or null.</summary>
    public const string RequiredField = "RequiredField";

    /// <summary>A value of the wrong YAML type (mapping, list, string, boolean, integer).</summary>
    public const string InvalidType = "InvalidType";

    /// <summary>A value outside an enumeration (securityProtocol, mechanism, storageType, strategy, ...).</summary>
    public const string InvalidEnumValue = "InvalidEnumValue";

    /// <summary>A number outside its allowed range (negative job numbers, ports, replication factor...).</summary>
    public const string OutOfRange = "OutOfRange";

    /// <summary>Two fields that exclude each other are both given.</summary>
    public const string ConflictingFields = "ConflictingFields";

    /// <summary>A list that must not be empty is empty.</summary>
    public const string EmptyList = "EmptyList";

    /// <summary>A list repeats a value.</summary>
    public const string DuplicateValue = "DuplicateValue";

    // Values.

    /// <summary>metadata.name or metadata.namespace is not a DNS-1123 subdomain.</summary>
    public const string InvalidName = "InvalidName";

    /// <summary>A backupId that cannot name a backup folder (slashes, "..", control characters).</summary>
    public const string InvalidBackupId = "InvalidBackupId";

    /// <summary>A snapshot id that cannot name snapshots/&lt;id&gt;.yaml.</summary>
    public const string InvalidSnapshotId = "InvalidSnapshotId";

    /// <summary>A Kafka topic name with characters Kafka rejects.</summary>
    public const string InvalidTopicName = "InvalidTopicName";

    /// <summary>A consumer group id that is empty or holds control characters.</summary>
    public const string InvalidGroupName = "InvalidGroupName";

    /// <summary>A bootstrap server that is not host:port.</summary>
    public const string InvalidBootstrapServer = "InvalidBootstrapServer";

    /// <summary>A timestamp that is not ISO 8601 with a zone (Z or +hh:mm).</summary>
    public const string InvalidTimestamp = "InvalidTimestamp";

    /// <summary>spec.schedule (or spec.timeZone) is not a cron schedule this product reads.</summary>
    public const string InvalidSchedule = "InvalidSchedule";

    /// <summary>A Kubernetes quantity that does not parse or is not positive.</summary>
    public const string InvalidQuantity = "InvalidQuantity";

    /// <summary>resources.requests asks for more than resources.limits allows.</summary>
    public const string RequestExceedsLimit = "RequestExceedsLimit";

    /// <summary>A duration that is not number+unit parts such as 30m, 4h or 7d, or is not positive.</summary>
    public const string InvalidDuration = "InvalidDuration";

    /// <summary>An s3 bucket holding a path, or an unusable s3 endpoint URL.</summary>
    public const string InvalidS3Location = "InvalidS3Location";

    /// <summary>An azure container or account that is not a valid name, or an unusable azure endpoint URL.</summary>
    public const string InvalidAzureLocation = "InvalidAzureLocation";

    /// <summary>A gcs bucket that is not a valid name, or an unusable gcs endpoint URL.</summary>
    public const string InvalidGcsLocation = "InvalidGcsLocation";

    /// <summary>A filesystem path that is not absolute.</summary>
    public const string InvalidPath = "InvalidPath";

    /// <summary>A secret reference without the keys it needs.</summary>
    public const string IncompleteSecretRef = "IncompleteSecretRef";

    /// <summary>A topicMapping key that is not among the listed topics.</summary>
    public const string MappingSourceNotInTopics = "MappingSourceNotInTopics";

    /// <summary>Two source topics would be restored into one target topic.</summary>
    public const string DuplicateMappingTarget = "DuplicateMappingTarget";

    // Across documents.

    /// <summary>Two documents share (kind, namespace, name); neither is used.</summary>
    public const string DuplicateIdentity = "DuplicateIdentity";

    // Host policy (validate --config, the daemon, CLI runs given --config).

    /// <summary>The host policy does not allow a reference (cluster, secret, S3 location, folder, internal target topic).</summary>
    public const string PolicyDenied = PolicyDenial.Reason;

    // Warnings.

    /// <summary>A field accepted but without effect outside Kubernetes (podTemplate, status).</summary>
    public const string IgnoredField = "IgnoredField";

    /// <summary>A field the chosen strategy, protocol or storage type does not use.</summary>
    public const string UnusedField = "UnusedField";

    /// <summary>A block (pitr, offsetReset, rollback...) with settings but no enabled: it stays off.</summary>
    public const string EnabledNotSet = "EnabledNotSet";

    /// <summary>Our resources nested in a List or a sequence: ignored, not read.</summary>
    public const string IgnoredDocument = "IgnoredDocument";

    // Across resources.

    /// <summary>A spec.dependsOn entry names a resource no file of the load defines.</summary>
    public const string DependencyNotFound = "DependencyNotFound";

    /// <summary>spec.dependsOn entries lead back to the resource itself (a self-dependency or a longer cycle).</summary>
    public const string DependencyCycle = "DependencyCycle";

    /// <summary>A drill's spec.backupRef names a KafkaBackup no file of the load defines.</summary>
    public const string BackupRefNotFound = "BackupRefNotFound";

    /// <summary>A reference to a resource of another namespace where only the resource's own is allowed (a drill's spec.backupRef.namespace).</summary>
    public const string CrossNamespaceReference = "CrossNamespaceReference";
}
