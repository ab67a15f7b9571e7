using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for KafkaOffsetRollback (SPEC 3.2).
internal static partial class SpecReaders
{
    internal static readonly string[] OffsetRollbackFields = ["kafkaCluster", "operation", "snapshotId", "consumerGroups"];

    public static KafkaOffsetRollbackSpec? OffsetRollback(MapReader spec)
    {
        var before = spec.Ctx.ErrorCount;
        var cluster = Cluster(spec, "kafkaCluster", required: true, replicationFactorUsed: false);
        var operation = spec.Enum("operation", SpecVocabulary.Operations, required: true);
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
