using KafkaRestored.Restore.Engine;
using LiteDB;

namespace KafkaRestored.Reconciler.State;

/// <summary>
/// The restore engine's checkpoints and offset maps in the state store (collections "checkpoints"
/// and "offsetMaps"). Restore keys are "&lt;store key&gt;#g&lt;generation&gt;" so pruning a resource's run data
/// finds every generation. Each save is one transaction, durable when the call returns.
/// </summary>
public sealed class LiteDbRestoreStateStore(StateStore store) : IRestoreStateStore
{
    /// <summary>The restore key of one generation of a resource.</summary>
    public static string RestoreKey(Restore.Resources.ResourceId id, long generation) => $"{StateStore.Key(id)}#g{generation}";

    private ILiteCollection<BsonDocument> Checkpoints => store.Database.GetCollection("checkpoints");

    private ILiteCollection<BsonDocument> Maps => store.Database.GetCollection("offsetMaps");

    /// <inheritdoc />
    public IReadOnlyList<RestoreCheckpoint> GetCheckpoints(string restoreKey) =>
        [.. Checkpoints.Find(Query.EQ("run", restoreKey)).Select(d => new RestoreCheckpoint(
            d["sourceTopic"].AsString, d["targetTopic"].AsString, d["partition"].AsInt32, d["fingerprint"].AsString,
            d["targetStartOffset"].AsInt64, d["recordsConfirmed"].AsInt64, d["resumeSegmentStartOffset"].AsInt64,
            d["resumeSelectedBefore"].AsInt64, d["selectedRecords"].IsNull ? null : d["selectedRecords"].AsInt64,
            d["completed"].AsBoolean, DateTimeOffset.FromUnixTimeMilliseconds(d["updatedAt"].AsInt64)))];

    /// <inheritdoc />
    public void SaveCheckpoints(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints) =>
        store.InTransaction(() =>
        {
            var col = Checkpoints;
            foreach (var c in checkpoints)
            {
                col.Upsert(new BsonDocument
                {
                    ["_id"] = $"{restoreKey}|{c.TargetTopic}|{c.Partition}",
                    ["run"] = restoreKey,
                    ["resource"] = ResourceOf(restoreKey),
                    ["sourceTopic"] = c.SourceTopic,
                    ["targetTopic"] = c.TargetTopic,
                    ["partition"] = c.Partition,
                    ["fingerprint"] = c.Fingerprint,
                    ["targetStartOffset"] = c.TargetStartOffset,
                    ["recordsConfirmed"] = c.RecordsConfirmed,
                    ["resumeSegmentStartOffset"] = c.ResumeSegmentStartOffset,
                    ["resumeSelectedBefore"] = c.ResumeSelectedBefore,
                    ["selectedRecords"] = c.SelectedRecords is { } s ? s : BsonValue.Null,
                    ["completed"] = c.Completed,
                    ["updatedAt"] = c.UpdatedAt.ToUnixTimeMilliseconds(),
                });
            }
        });

    /// <inheritdoc />
    public IReadOnlyList<PartitionOffsetMap> GetOffsetMaps(string restoreKey) =>
        [.. Maps.Find(Query.EQ("run", restoreKey)).Select(d => new PartitionOffsetMap(
            d["sourceTopic"].AsString, d["targetTopic"].AsString, d["partition"].AsInt32,
            d["runs"].AsArray.Select(r => new OffsetRun(r.AsArray[0].AsInt64, r.AsArray[1].AsInt64, r.AsArray[2].AsInt64))))];

    /// <inheritdoc />
    public void SaveOffsetMaps(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps) =>
        store.InTransaction(() =>
        {
            var col = Maps;
            foreach (var m in maps)
            {
                col.Upsert(new BsonDocument
                {
                    ["_id"] = $"{restoreKey}|{m.TargetTopic}|{m.Partition}",
                    ["run"] = restoreKey,
                    ["resource"] = ResourceOf(restoreKey),
                    ["sourceTopic"] = m.SourceTopic,
                    ["targetTopic"] = m.TargetTopic,
                    ["partition"] = m.Partition,
                    ["runs"] = new BsonArray(m.Runs.Select(r => new BsonArray(new BsonValue(r.SourceStart), new BsonValue(r.TargetStart), new BsonValue(r.Length)))),
                });
            }
        });

    /// <inheritdoc />
    public void DeleteRun(string restoreKey) =>
        store.InTransaction(() =>
        {
            Checkpoints.DeleteMany(Query.EQ("run", restoreKey));
            Maps.DeleteMany(Query.EQ("run", restoreKey));
        });

    private static string ResourceOf(string restoreKey)
    {
        var hash = restoreKey.LastIndexOf("#g", StringComparison.Ordinal);
        return hash < 0 ? restoreKey : restoreKey[..hash];
    }
}
