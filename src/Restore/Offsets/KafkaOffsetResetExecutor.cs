using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Offsets;

/// <summary>
/// Runs a standalone KafkaOffsetReset (SPEC 3.3): optionally snapshots the groups' offsets
/// first (snapshotBeforeReset), then resets them with <see cref="OffsetResetter"/>.
/// </summary>
public sealed class KafkaOffsetResetExecutor
{
    private readonly SecretStore _secrets;
    private readonly IOffsetSnapshotStore _snapshots;
    private readonly TimeProvider _time;

    /// <summary>Creates the executor over a snapshot store.</summary>
    public KafkaOffsetResetExecutor(SecretStore secrets, IOffsetSnapshotStore snapshots, TimeProvider? time = null)
    {
        _secrets = secrets;
        _snapshots = snapshots;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Test hook: runs between a group's commit and its read-back.</summary>
    internal Func<string, CancellationToken, Task>? BeforeReadBack { get; init; }

    /// <summary>Client request timeout.</summary>
    internal TimeSpan? Timeout { get; init; }

    /// <summary>Snapshot id used when snapshotBeforeReset names none.</summary>
    public static string DefaultSnapshotId(ResourceId id) => $"{id.Name}-pre-reset";

    /// <summary>Runs the reset <paramref name="spec"/> describes for the resource <paramref name="id"/> (named in messages and the snapshot). Per-group problems are failures in the result.</summary>
    /// <exception cref="KafkaRestoredException">The reset cannot run at all (snapshot id taken, backup snapshot missing, cluster unreachable...).</exception>
    public async Task<OffsetResetResult> ExecuteAsync(KafkaOffsetResetSpec spec, ResourceId id, CancellationToken ct)
    {
        SourceCommittedOffsets? source = null;
        if (spec.Strategy == OffsetResetStrategy.HeaderBased)
        {
            if (spec.BackupId is null || spec.Storage is null)
                throw new KafkaRestoredException(FailureReason.MissingBackup,
                    $"{id}: strategy headerBased reads the source committed offsets from a backup; set backupId and storage.");
            source = await SourceCommittedOffsets.ReadAsync(BackupStorageFactory.Create(spec.Storage, _secrets), spec.BackupId, ct);
        }

        string? snapshotId = null;
        if (spec.SnapshotBeforeReset is { Enabled: true } before)
        {
            snapshotId = before.SnapshotId ?? DefaultSnapshotId(id);
            OffsetSnapshot.ValidateId(snapshotId);
            if (_snapshots.Get(snapshotId) is { } existing) throw OffsetSnapshotErrors.Exists(existing);
            var topics = spec.Topics.Count > 0 ? [.. spec.Topics] : MappedTopics(source, spec);
            var snapshot = await new OffsetSnapshotter(spec.KafkaCluster, _secrets, _time) { Timeout = Timeout }
                .TakeAsync(snapshotId, id, spec.ConsumerGroups, topics, ct);
            _snapshots.Save(snapshot);
        }

        var result = await new OffsetResetter(spec.KafkaCluster, _secrets) { BeforeReadBack = BeforeReadBack, Timeout = Timeout }
            .ResetAsync(new OffsetResetRequest
            {
                Strategy = spec.Strategy,
                Groups = spec.ConsumerGroups,
                Topics = spec.Topics,
                Timestamp = spec.Timestamp,
                Offset = spec.Offset,
                SourceCluster = spec.SourceCluster,
                TopicMapping = spec.TopicMapping,
                SourceOffsets = source,
            }, ct);
        return result with { SnapshotId = snapshotId };
    }

    /// <summary>Target topics the listed groups committed on in the source, through topicMapping.</summary>
    private static List<string> MappedTopics(SourceCommittedOffsets? source, KafkaOffsetResetSpec spec) =>
        source is null ? []
            : [.. spec.ConsumerGroups.SelectMany(source.TopicsOf)
                .Select(t => spec.TopicMapping.TryGetValue(t, out var target) ? target : t)
                .Distinct(StringComparer.Ordinal)];
}
