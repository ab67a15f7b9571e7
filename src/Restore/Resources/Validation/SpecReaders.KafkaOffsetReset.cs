using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for KafkaOffsetReset (SPEC 3.3).
internal static partial class SpecReaders
{
    internal static readonly string[] OffsetResetFields =
    [
        "kafkaCluster", "consumerGroups", "topics", "strategy", "timestamp", "offset", "sourceCluster", "backupId",
        "storage", "topicMapping", "snapshotBeforeReset",
    ];

    private static readonly string[] HeaderBasedOnlyFields = ["backupId", "storage", "topicMapping"];

    public static KafkaOffsetResetSpec? OffsetReset(MapReader spec, string name)
    {
        var before = spec.Ctx.ErrorCount;
        var cluster = Cluster(spec, "kafkaCluster", required: true, replicationFactorUsed: false);
        var groups = Groups(spec, required: true, hint: "list the consumer groups to reset");
        var strategy = spec.Enum("strategy", SpecVocabulary.Strategies, required: true);
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

}
