using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for KafkaRestoreDrill (our own kind; docs/resources.md#kafkarestoredrill).
internal static partial class SpecReaders
{
    internal static readonly string[] DrillFields =
        ["schedule", "backupId", "storage", "backupRef", "targetCluster", "topicPrefix", "topics", "objectives"];

    private static readonly string[] BackupRefFields = ["name", "namespace"];

    private static readonly string[] ObjectiveFields = ["rto", "rpo"];

    public static KafkaRestoreDrillSpec? Drill(MapReader spec, string ownNamespace)
    {
        var before = spec.Ctx.ErrorCount;
        var schedule = DrillSchedule(spec);
        var (backupId, storage, backupRef) = DrillSource(spec, ownNamespace);
        var cluster = Cluster(spec, "targetCluster", required: true, replicationFactorUsed: true);
        var prefix = TopicPrefix(spec);
        var topics = Topics(spec, required: false, "omit topics to drill every topic in the backup");
        if (prefix is not null)
        {
            foreach (var (topic, at) in topics ?? [])
            {
                if (Names.IsTopicName(topic) && !Names.IsTopicName(prefix + topic))
                    spec.Ctx.Error(at, DiagnosticCodes.InvalidTopicName, TopicMessage($"scratch topic (topicPrefix + {spec.FieldPath("topics")} entry)", prefix + topic));
            }
        }
        var objectives = Objectives(spec);
        if (spec.Ctx.ErrorCount > before) return null;
        return new KafkaRestoreDrillSpec(schedule!, backupId, storage, backupRef, cluster!, prefix!,
            topics is null ? null : new ValueList<string>(topics.Select(t => t.Value)), objectives!);
    }

    private static string? DrillSchedule(MapReader spec)
    {
        var text = spec.String("schedule", required: true, hint: "a cron schedule such as \"0 3 * * 0\" (03:00 UTC every Sunday)");
        if (text is null) return null;
        if (CronSchedule.TryParse(text, null, out var error) is null)
        {
            spec.Ctx.Error(spec.Value("schedule")!.Start, DiagnosticCodes.InvalidSchedule, $"{spec.FieldPath("schedule")}: {error}");
            return null;
        }
        return text;
    }

    /// <summary>Exactly one of backupId (with storage) and backupRef.</summary>
    private static (string? BackupId, StorageSpec? Storage, BackupRef? Ref) DrillSource(MapReader spec, string ownNamespace)
    {
        var byRef = spec.Present("backupRef");
        var byId = spec.Present("backupId");
        if (byRef && byId)
        {
            spec.Ctx.Error(spec.KeyAt("backupRef"), DiagnosticCodes.ConflictingFields,
                $"{spec.FieldPath("backupRef")} and {spec.FieldPath("backupId")} both say what to restore; keep one");
        }
        if (byRef && spec.Present("storage"))
        {
            spec.Ctx.Error(spec.KeyAt("storage"), DiagnosticCodes.ConflictingFields,
                $"{spec.FieldPath("storage")} is taken from the KafkaBackup that {spec.FieldPath("backupRef")} names; remove storage or use backupId instead of backupRef");
        }
        if (!byRef && !byId)
        {
            spec.Missing("backupId", "say what to restore: backupId with storage, or backupRef naming a KafkaBackup");
            return (null, null, null);
        }
        if (!byRef) return (BackupId(spec, required: true), Storage(spec, required: true), null);
        var m = spec.Map("backupRef", BackupRefFields, required: true);
        if (m is null) return (null, null, null);
        var name = m.String("name", required: true, hint: "the metadata.name of a KafkaBackup");
        if (name is not null && !Names.IsDns1123Subdomain(name))
        {
            m.Ctx.Error(m.Value("name")!.Start, DiagnosticCodes.InvalidName, ResourceValidator.Dns1123Message(m.FieldPath("name"), name));
            name = null;
        }
        var ns = m.String("namespace");
        if (ns is not null && !Names.IsDns1123Subdomain(ns))
        {
            m.Ctx.Error(m.Value("namespace")!.Start, DiagnosticCodes.InvalidName, ResourceValidator.Dns1123Message(m.FieldPath("namespace"), ns));
            return (null, null, null);
        }
        if (ns is not null && ns != ownNamespace)
        {
            // The trust boundary: a drill reads storage under its own namespace's policy, so it may name only its own namespace's backups.
            m.Ctx.Error(m.Value("namespace")!.Start, DiagnosticCodes.CrossNamespaceReference,
                $"{m.FieldPath("namespace")} is {ns}, but a drill may reference only a KafkaBackup in its own namespace ({ownNamespace}); " +
                $"remove {m.FieldPath("namespace")}, or put the drill in namespace {ns}");
            return (null, null, null);
        }
        return (null, null, name is null ? null : new BackupRef(name, ns ?? ownNamespace));
    }

    /// <summary>Required and non-empty, so every scratch topic differs from its source topic; never an internal-topic prefix.</summary>
    private static string? TopicPrefix(MapReader spec)
    {
        var prefix = spec.String("topicPrefix", required: true,
            hint: "the prefix of the scratch topics the drill restores into, such as drill- (orders is restored into drill-orders)");
        if (prefix is null) return null;
        var at = spec.Value("topicPrefix")!.Start;
        if (!Names.IsTopicName(prefix) || prefix.Length > 200)
        {
            spec.Ctx.Error(at, DiagnosticCodes.InvalidTopicName,
                $"{spec.FieldPath("topicPrefix")} \"{MapReader.Truncate(prefix)}\" cannot start a Kafka topic name: use letters, digits, '.', '_' and '-', at most 200 characters");
            return null;
        }
        if (prefix.StartsWith("__", StringComparison.Ordinal))
        {
            spec.Ctx.Error(at, DiagnosticCodes.InvalidTopicName,
                $"{spec.FieldPath("topicPrefix")} \"{MapReader.Truncate(prefix)}\" starts with __, which names Kafka's internal topics; choose a prefix such as drill-");
            return null;
        }
        return prefix;
    }

    private static DrillObjectives? Objectives(MapReader spec)
    {
        var m = spec.Map("objectives", ObjectiveFields);
        if (m is null) return spec.Present("objectives") && spec.Value("objectives") is not null ? null : DrillObjectives.None;
        var before = m.Ctx.ErrorCount;
        var rto = Duration(m, "rto", "the longest acceptable restore, such as 30m");
        var rpo = Duration(m, "rpo", "the oldest acceptable newest record, such as 24h");
        return m.Ctx.ErrorCount > before ? null : new DrillObjectives(rto, rpo);
    }

    private static TimeSpan? Duration(MapReader m, string key, string what)
    {
        var text = m.String(key, hint: what);
        if (text is null) return null;
        if (Durations.TryParse(text, out var value, out var error)) return value;
        m.Ctx.Error(m.Value(key)!.Start, DiagnosticCodes.InvalidDuration, $"{m.FieldPath(key)} ({what}): {error}");
        return null;
    }
}
