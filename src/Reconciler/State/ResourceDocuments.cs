using System.Globalization;
using KafkaRestored.Restore.Resources.Model;
using LiteDB;

namespace KafkaRestored.Reconciler.State;

/// <summary>A resource record as a LiteDB document of the resources collection, and back.</summary>
internal static class ResourceDocuments
{
    public static BsonDocument ToDocument(ResourceRecord r) => new()
    {
        ["_id"] = StateStore.Key(r.Id),
        ["kind"] = r.Id.Kind,
        ["namespace"] = r.Id.Namespace,
        ["name"] = r.Id.Name,
        ["specHash"] = r.SpecHash,
        ["desiredSpecHash"] = Str(r.DesiredSpecHash),
        ["rerunValue"] = Str(r.RerunValue),
        ["desiredRerunValue"] = Str(r.DesiredRerunValue),
        ["sourceFile"] = Str(r.SourceFile),
        ["phase"] = r.Phase.ToString(),
        ["generation"] = r.Generation,
        ["attempts"] = r.Attempts,
        ["status"] = StatusJson.Serialize(r.Status),
        ["publishedStatus"] = r.PublishedStatus is null ? BsonValue.Null : StatusJson.Serialize(r.PublishedStatus),
        ["publishedAt"] = Time(r.PublishedAt),
        ["createdAt"] = Time(r.CreatedAt),
        ["phaseChangedAt"] = Time(r.PhaseChangedAt),
        ["attemptStartedAt"] = Time(r.AttemptStartedAt),
        ["nextAttemptAt"] = Time(r.NextAttemptAt),
        ["tombstone"] = r.Tombstone,
        ["deletion"] = r.Deletion is null ? BsonValue.Null : r.Deletion.Value.ToString(),
        ["runDataPruned"] = r.RunDataPruned,
        ["backoffLimit"] = r.Job.BackoffLimit,
        ["activeDeadlineSeconds"] = r.Job.ActiveDeadlineSeconds is { } d ? d : BsonValue.Null,
        ["ttlSecondsAfterFinished"] = r.Job.TtlSecondsAfterFinished is { } t ? t : BsonValue.Null,
    };

    public static ResourceRecord FromDocument(BsonDocument d) => new()
    {
        Id = new ResourceId(d["kind"].AsString, d["namespace"].AsString, d["name"].AsString),
        SpecHash = d["specHash"].AsString,
        DesiredSpecHash = Str(d["desiredSpecHash"]),
        RerunValue = Str(d["rerunValue"]),
        DesiredRerunValue = Str(d["desiredRerunValue"]),
        SourceFile = Str(d["sourceFile"]),
        Status = StatusJson.Deserialize(d["status"].AsString),
        PublishedStatus = d["publishedStatus"].IsNull ? null : StatusJson.Deserialize(d["publishedStatus"].AsString),
        PublishedAt = Time(d["publishedAt"]),
        CreatedAt = Time(d["createdAt"]) ?? DateTimeOffset.UnixEpoch,
        PhaseChangedAt = Time(d["phaseChangedAt"]),
        AttemptStartedAt = Time(d["attemptStartedAt"]),
        NextAttemptAt = Time(d["nextAttemptAt"]),
        Tombstone = d["tombstone"].AsBoolean,
        Deletion = d["deletion"].IsNull ? null : Enum.Parse<DeletionOutcome>(d["deletion"].AsString),
        RunDataPruned = d["runDataPruned"].AsBoolean,
        Job = new JobSpec(
            d["backoffLimit"].IsNull ? JobSpec.Default.BackoffLimit : d["backoffLimit"].AsInt32,
            d["activeDeadlineSeconds"].IsNull ? null : d["activeDeadlineSeconds"].AsInt64,
            d["ttlSecondsAfterFinished"].IsNull ? null : d["ttlSecondsAfterFinished"].AsInt64),
    };

    private static BsonValue Str(string? s) => s is null ? BsonValue.Null : new BsonValue(s);

    private static string? Str(BsonValue v) => v.IsNull ? null : v.AsString;

    public static BsonValue Time(DateTimeOffset? t) =>
        t is null ? BsonValue.Null : new BsonValue(t.Value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    private static DateTimeOffset? Time(BsonValue v) =>
        v.IsNull ? null : DateTimeOffset.Parse(v.AsString, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
