using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
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
    public static string RestoreKey(Restore.Resources.Model.ResourceId id, long generation) => $"{StateStore.Key(id)}#g{generation}";

    /// <summary>
    /// A key of <paramref name="id"/> that outlives its generations (such as a drill's scratch-topic ledger): generation 0,
    /// which no run has, so the resource's pruning and forgetting still find it.
    /// </summary>
    public static string LastingKey(Restore.Resources.Model.ResourceId id, string purpose) => $"{RestoreKey(id, 0)}/{purpose}";

    private ILiteCollection<BsonDocument> Checkpoints => store.Database.GetCollection("checkpoints");

    private ILiteCollection<BsonDocument> Maps => store.Database.GetCollection("offsetMaps");

    /// <inheritdoc />
    public IReadOnlyList<RestoreCheckpoint> GetCheckpoints(string restoreKey) =>
        [.. store.Read(() => Checkpoints.Find(Query.EQ("run", restoreKey)).ToList()).Select(d => new RestoreCheckpoint(
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
        [.. store.Read(() => Maps.Find(Query.EQ("run", restoreKey)).ToList())
            .GroupBy(d => (Topic: d["targetTopic"].AsString, Partition: d["partition"].AsInt32))
            .Select(g =>
            {
                var parts = g.OrderBy(d => d["part"].IsNull ? 0 : d["part"].AsInt32).ToList();
                return new PartitionOffsetMap(parts[0]["sourceTopic"].AsString, g.Key.Topic, g.Key.Partition,
                    parts.SelectMany(d => d["runs"].AsArray).Select(r => new OffsetRun(r.AsArray[0].AsInt64, r.AsArray[1].AsInt64, r.AsArray[2].AsInt64)));
            })];

    /// <summary>
    /// Runs per document. LiteDB refuses documents over ~16 MB, about 370,000 runs; a map with more
    /// (PITR cutting a partition's records one by one) is split over several documents.
    /// </summary>
    internal const int RunsPerDocument = 100_000;

    /// <inheritdoc />
    public void SaveOffsetMaps(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps) =>
        store.InTransaction(() =>
        {
            var col = Maps;
            foreach (var m in maps)
            {
                var parts = Math.Max(1, (m.Runs.Count + RunsPerDocument - 1) / RunsPerDocument);
                for (var part = 0; part < parts; part++)
                {
                    var id = $"{restoreKey}|{m.TargetTopic}|{m.Partition}";
                    col.Upsert(new BsonDocument
                    {
                        // Part 0 keeps the id maps had before they were split.
                        ["_id"] = part == 0 ? id : $"{id}|part{part}",
                        ["run"] = restoreKey,
                        ["resource"] = ResourceOf(restoreKey),
                        ["sourceTopic"] = m.SourceTopic,
                        ["targetTopic"] = m.TargetTopic,
                        ["partition"] = m.Partition,
                        ["part"] = part,
                        ["runs"] = new BsonArray(m.Runs.Skip(part * RunsPerDocument).Take(RunsPerDocument)
                            .Select(r => new BsonArray(new BsonValue(r.SourceStart), new BsonValue(r.TargetStart), new BsonValue(r.Length)))),
                    });
                }
                col.DeleteMany(Query.And(Query.EQ("run", restoreKey), Query.EQ("targetTopic", m.TargetTopic),
                    Query.EQ("partition", m.Partition), Query.GTE("part", parts)));
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
