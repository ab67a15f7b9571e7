namespace KafkaRestored.Restore.Failures;

/// <summary>
/// Every reason a run can fail for, with whether another attempt can help: the one place the
/// CamelCase texts written to status conditions are named (tooling matches on them, so a
/// <see cref="Name"/> never changes). Runners decide a retry by <see cref="Retryable"/>, never by
/// comparing texts. Condition reasons that are not failures (Pending, Running, InvalidSpec...)
/// stay in <c>ConditionReasons</c>; those that are failures there refer to these names.
/// </summary>
/// <remarks>
/// The rule (issue #15; the table is in docs/reconciler.md, "Which failures are retried"): a
/// failure is retryable when the same spec against the same backup and cluster can succeed later
/// without anyone acting (a cluster, storage or consumer group that recovers on its own, a topic
/// another resource is creating, a secret an agent writes). A wrong spec, backup content, target
/// content or a refusal an operator must fix is not: the resource fails after one attempt and runs
/// again when its spec or its rerun annotation changes.
/// </remarks>
public sealed class FailureReason
{
    private FailureReason(string name, bool retryable)
    {
        Name = name;
        Retryable = retryable;
    }

    /// <summary>The stable CamelCase text written to status, e.g. "ClusterUnreachable".</summary>
    public string Name { get; }

    /// <summary>Whether a new attempt (within job.backoffLimit) can succeed where this one failed.</summary>
    public bool Retryable { get; }

    /// <summary>The reason as its status text, for the places that record one (group failures, verification problems).</summary>
    public static implicit operator string(FailureReason reason) => reason?.Name!;

    /// <inheritdoc />
    public override string ToString() => Name;

    private static readonly Lazy<Dictionary<string, FailureReason>> ByName = new(() => typeof(FailureReason)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(FailureReason))
        .Select(f => (FailureReason)f.GetValue(null)!)
        .ToDictionary(r => r.Name, StringComparer.Ordinal));

    /// <summary>The reason whose status text is <paramref name="name"/>, or null for a text that names none (read from another process: untrusted).</summary>
    public static FailureReason? FromName(string? name) => name is not null && ByName.Value.TryGetValue(name, out var reason) ? reason : null;

    // Resource and policy (the reconciler's own).

    /// <summary>The host policy does not allow a cluster, secret, storage location, folder or target topic the resource references; nothing was executed.</summary>
    public static readonly FailureReason PolicyDenied = new(nameof(PolicyDenied), retryable: false);

    /// <summary>This build has no runner for the resource's kind.</summary>
    public static readonly FailureReason NoRunner = new(nameof(NoRunner), retryable: false);

    /// <summary>A runner threw something nobody planned for; the daemon log has the stack trace.</summary>
    public static readonly FailureReason UnexpectedError = new(nameof(UnexpectedError), retryable: true);

    /// <summary>The daemon's own state store could not be written (its disk is full); what the attempt saved before stays, and it resumes from there.</summary>
    public static readonly FailureReason StateStoreUnwritable = new(nameof(StateStoreUnwritable), retryable: true);

    // Secrets and client configuration.

    /// <summary>A referenced secret file does not exist or lacks the key.</summary>
    public static readonly FailureReason SecretNotFound = new(nameof(SecretNotFound), retryable: true);

    /// <summary>A secret file is readable by others than its owner.</summary>
    public static readonly FailureReason InsecureSecretFile = new(nameof(InsecureSecretFile), retryable: false);

    /// <summary>The Kafka client refused the configuration built from the spec.</summary>
    public static readonly FailureReason InvalidClientConfig = new(nameof(InvalidClientConfig), retryable: false);

    /// <summary>The cluster's TLS certificate is not trusted by the configured CA.</summary>
    public static readonly FailureReason TlsCertificateNotTrusted = new(nameof(TlsCertificateNotTrusted), retryable: false);

    /// <summary>The TLS handshake with the cluster failed.</summary>
    public static readonly FailureReason TlsHandshakeFailed = new(nameof(TlsHandshakeFailed), retryable: true);

    // Clusters and topics.

    /// <summary>A Kafka cluster did not answer (or stopped acknowledging) in time.</summary>
    public static readonly FailureReason ClusterUnreachable = new(nameof(ClusterUnreachable), retryable: true);

    /// <summary>A named topic does not exist on the cluster.</summary>
    public static readonly FailureReason TopicNotFound = new(nameof(TopicNotFound), retryable: true);

    /// <summary>No topic to work on was named.</summary>
    public static readonly FailureReason NoTopics = new(nameof(NoTopics), retryable: false);

    /// <summary>A target topic has another partition count than its source in the backup.</summary>
    public static readonly FailureReason PartitionCountMismatch = new(nameof(PartitionCountMismatch), retryable: false);

    /// <summary>A target topic could not be created.</summary>
    public static readonly FailureReason TopicCreationFailed = new(nameof(TopicCreationFailed), retryable: true);

    // Backups and storage.

    /// <summary>The backup's manifest does not exist at the storage location.</summary>
    public static readonly FailureReason BackupNotFound = new(nameof(BackupNotFound), retryable: false);

    /// <summary>A backup with that id is already stored; backups are never overwritten.</summary>
    public static readonly FailureReason BackupExists = new(nameof(BackupExists), retryable: false);

    /// <summary>A backup object the manifest names does not exist.</summary>
    public static readonly FailureReason BackupObjectNotFound = new(nameof(BackupObjectNotFound), retryable: false);

    /// <summary>The backup's manifest cannot be read or names keys outside its folder.</summary>
    public static readonly FailureReason InvalidBackupManifest = new(nameof(InvalidBackupManifest), retryable: false);

    /// <summary>A backup segment fails its checks and cannot be trusted.</summary>
    public static readonly FailureReason CorruptSegment = new(nameof(CorruptSegment), retryable: false);

    /// <summary>A record is larger than the budget or the target topic allows.</summary>
    public static readonly FailureReason RecordTooLarge = new(nameof(RecordTooLarge), retryable: false);

    /// <summary>The backup storage could not be read.</summary>
    public static readonly FailureReason StorageUnavailable = new(nameof(StorageUnavailable), retryable: true);

    /// <summary>The storage bucket or folder does not exist.</summary>
    public static readonly FailureReason StorageNotFound = new(nameof(StorageNotFound), retryable: false);

    /// <summary>The storage refused the credentials.</summary>
    public static readonly FailureReason StorageAccessDenied = new(nameof(StorageAccessDenied), retryable: false);

    /// <summary>The consumer-group snapshot in the backup cannot be read.</summary>
    public static readonly FailureReason InvalidConsumerGroupSnapshot = new(nameof(InvalidConsumerGroupSnapshot), retryable: false);

    /// <summary>The backup holds no consumer-group snapshot.</summary>
    public static readonly FailureReason ConsumerGroupSnapshotNotFound = new(nameof(ConsumerGroupSnapshotNotFound), retryable: false);

    // Restore engine.

    /// <summary>spec.topics names a topic the backup does not hold.</summary>
    public static readonly FailureReason TopicNotInBackup = new(nameof(TopicNotInBackup), retryable: false);

    /// <summary>Target partitions already hold data this restore did not write.</summary>
    public static readonly FailureReason TargetNotEmpty = new(nameof(TargetNotEmpty), retryable: false);

    /// <summary>The saved state of the restore was recorded for another spec.</summary>
    public static readonly FailureReason RestoreStateMismatch = new(nameof(RestoreStateMismatch), retryable: false);

    /// <summary>A target partition ends before where this restore started writing: it was deleted or recreated.</summary>
    public static readonly FailureReason TargetChanged = new(nameof(TargetChanged), retryable: false);

    /// <summary>Something else wrote to a target partition during the restore.</summary>
    public static readonly FailureReason TargetModified = new(nameof(TargetModified), retryable: false);

    /// <summary>The restore's saved state cannot be read.</summary>
    public static readonly FailureReason InvalidRestoreState = new(nameof(InvalidRestoreState), retryable: false);

    /// <summary>Distributed mode: the coordination cluster did not take the restore's checkpoint, so nothing more is written until it does.</summary>
    public static readonly FailureReason SharedStateUnavailable = new(nameof(SharedStateUnavailable), retryable: true);

    /// <summary>Distributed mode: a spread restore's units made no progress (no checkpoint moved, no unit ended) for the stall timeout.</summary>
    public static readonly FailureReason UnitsStalled = new(nameof(UnitsStalled), retryable: true);

    /// <summary>The producer to the target failed; a new producer resumes from the target's end offsets.</summary>
    public static readonly FailureReason ProduceFailed = new(nameof(ProduceFailed), retryable: true);

    /// <summary>Target partitions do not hold exactly the records the restore selected.</summary>
    public static readonly FailureReason VerificationFailed = new(nameof(VerificationFailed), retryable: true);

    // Restore drills.

    /// <summary>A drill's restore took longer than its spec.objectives.rto.</summary>
    public static readonly FailureReason RtoMissed = new(nameof(RtoMissed), retryable: false);

    /// <summary>The newest record of a drill's backup is older than its spec.objectives.rpo.</summary>
    public static readonly FailureReason RpoMissed = new(nameof(RpoMissed), retryable: false);

    /// <summary>A drill's scratch topic already holds records that no run of the drill wrote (it may be someone's data).</summary>
    public static readonly FailureReason ScratchTopicInUse = new(nameof(ScratchTopicInUse), retryable: false);

    /// <summary>A drill names its backup by KafkaBackup (spec.backupRef), which has no completed backup yet, is invalid, or cannot be resolved here (<c>drill -f</c>).</summary>
    public static readonly FailureReason BackupRefUnresolved = new(nameof(BackupRefUnresolved), retryable: false);

    // Offsets: snapshots.

    /// <summary>An offset snapshot with that id exists; ids are never reused.</summary>
    public static readonly FailureReason SnapshotExists = new(nameof(SnapshotExists), retryable: false);

    /// <summary>No offset snapshot has that id.</summary>
    public static readonly FailureReason SnapshotNotFound = new(nameof(SnapshotNotFound), retryable: false);

    /// <summary>The snapshot id is not a valid file and key name.</summary>
    public static readonly FailureReason InvalidSnapshotId = new(nameof(InvalidSnapshotId), retryable: false);

    /// <summary>An offset snapshot file is not valid.</summary>
    public static readonly FailureReason InvalidSnapshot = new(nameof(InvalidSnapshot), retryable: false);

    // Offsets: resets and rollbacks.

    /// <summary>Strategy headerBased needs backupId and storage.</summary>
    public static readonly FailureReason MissingBackup = new(nameof(MissingBackup), retryable: false);

    /// <summary>Strategy timestamp needs a timestamp.</summary>
    public static readonly FailureReason MissingTimestamp = new(nameof(MissingTimestamp), retryable: false);

    /// <summary>Strategy offset needs an offset.</summary>
    public static readonly FailureReason MissingOffset = new(nameof(MissingOffset), retryable: false);

    /// <summary>No consumer group was named.</summary>
    public static readonly FailureReason NoConsumerGroups = new(nameof(NoConsumerGroups), retryable: false);

    /// <summary>A named group is not in the offset snapshot.</summary>
    public static readonly FailureReason GroupNotInSnapshot = new(nameof(GroupNotInSnapshot), retryable: false);

    /// <summary>A named group is not in the backup's consumer-group snapshot.</summary>
    public static readonly FailureReason GroupNotInBackupSnapshot = new(nameof(GroupNotInBackupSnapshot), retryable: false);

    /// <summary>Restored records carry no original-offset headers to translate positions with.</summary>
    public static readonly FailureReason OffsetHeadersMissing = new(nameof(OffsetHeadersMissing), retryable: false);

    /// <summary>A restored record's original-offset header cannot be read.</summary>
    public static readonly FailureReason InvalidOffsetHeader = new(nameof(InvalidOffsetHeader), retryable: false);

    /// <summary>Restored records' original offsets do not increase.</summary>
    public static readonly FailureReason OffsetHeadersOutOfOrder = new(nameof(OffsetHeadersOutOfOrder), retryable: false);

    /// <summary>Committed offsets could not be read.</summary>
    public static readonly FailureReason OffsetFetchFailed = new(nameof(OffsetFetchFailed), retryable: true);

    /// <summary>A consumer group could not be described.</summary>
    public static readonly FailureReason GroupDescribeFailed = new(nameof(GroupDescribeFailed), retryable: true);

    /// <summary>A consumer group has active members, so its offsets were not committed.</summary>
    public static readonly FailureReason GroupHasActiveMembers = new(nameof(GroupHasActiveMembers), retryable: true);

    /// <summary>Committing a group's offsets failed.</summary>
    public static readonly FailureReason OffsetCommitFailed = new(nameof(OffsetCommitFailed), retryable: true);

    /// <summary>A group has no offsets to reset on the chosen partitions.</summary>
    public static readonly FailureReason NoOffsetsToReset = new(nameof(NoOffsetsToReset), retryable: false);

    /// <summary>Offsets read back differ from what was committed.</summary>
    public static readonly FailureReason OffsetVerificationFailed = new(nameof(OffsetVerificationFailed), retryable: true);

    /// <summary>
    /// A rollback must remove committed offsets its snapshot did not have, and the brokers do not
    /// serve OffsetDelete (Kafka 2.4+): the group is not back at its snapshot. Another attempt
    /// against the same brokers cannot help.
    /// </summary>
    public static readonly FailureReason OffsetDeleteUnsupported = new(nameof(OffsetDeleteUnsupported), retryable: false);

    /// <summary>The broker refused to delete committed offsets a rollback had to remove.</summary>
    public static readonly FailureReason OffsetDeleteFailed = new(nameof(OffsetDeleteFailed), retryable: true);

    /// <summary>Some consumer groups could not be reset or rolled back.</summary>
    public static readonly FailureReason GroupsFailed = new(nameof(GroupsFailed), retryable: true);
}
