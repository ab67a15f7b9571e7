using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

/// <summary>The spec blocks of the three kinds (SPEC section 3), each read from a <see cref="MapReader"/>: one file per kind (SpecReaders.&lt;Kind&gt;.cs), shared blocks here and in SpecReaders.Cluster.cs and SpecReaders.Storage.cs.</summary>
internal static partial class SpecReaders
{
    private static readonly string[] SnapshotFields = ["enabled", "snapshotId"];

    public static IReadOnlyList<string> FieldsOf(string kind) => kind switch
    {
        ResourceKinds.KafkaRestore => [.. RestoreFields, .. SchedulingFields],
        ResourceKinds.KafkaOffsetReset => [.. OffsetResetFields, .. SchedulingFields],
        ResourceKinds.KafkaBackup => [.. BackupFields, .. SchedulingFields],
        ResourceKinds.KafkaRestoreDrill => [.. DrillFields, .. SchedulingFields],
        _ => [.. OffsetRollbackFields, .. SchedulingFields],
    };


    private static List<(string Value, TextPosition At)>? Topics(MapReader m, bool required, string hint)
    {
        var topics = m.StringList("topics", required, hint);
        foreach (var (topic, at) in topics ?? [])
        {
            if (!Names.IsTopicName(topic))
                m.Ctx.Error(at, DiagnosticCodes.InvalidTopicName, TopicMessage($"{m.FieldPath("topics")} entry", topic));
        }
        return topics;
    }

    private static string TopicMessage(string what, string topic) =>
        $"{what} \"{MapReader.Truncate(topic)}\" is not a Kafka topic name: use letters, digits, '.', '_' and '-', at most 249 characters";

    private static ValueMap TopicMapping(MapReader m, List<(string Value, TextPosition At)>? topics)
    {
        var entries = m.StringMap("topicMapping");
        if (entries is null) return ValueMap.Empty;
        var path = m.FieldPath("topicMapping");
        var before = m.Ctx.ErrorCount;
        var listed = topics?.Select(t => t.Value).ToHashSet(StringComparer.Ordinal);
        var bySource = new Dictionary<string, (string Target, TextPosition TargetAt)>(StringComparer.Ordinal);
        foreach (var (source, sourceAt, target, targetAt) in entries)
        {
            bySource[source] = (target, targetAt);
            if (!Names.IsTopicName(source))
                m.Ctx.Error(sourceAt, DiagnosticCodes.InvalidTopicName, TopicMessage($"{path} source", source));
            if (!Names.IsTopicName(target))
                m.Ctx.Error(targetAt, DiagnosticCodes.InvalidTopicName, TopicMessage($"{path} target", target));
            if (listed is not null && !listed.Contains(source))
            {
                m.Ctx.Error(sourceAt, DiagnosticCodes.MappingSourceNotInTopics,
                    $"{path} maps \"{MapReader.Truncate(source)}\", which is not in {m.FieldPath("topics")}; add it there or remove the mapping");
            }
        }
        // Every restored topic lands somewhere: two landing in one place would interleave their partitions.
        var landing = new Dictionary<string, string>(StringComparer.Ordinal);
        var sources = topics?.Select(t => t.Value) ?? entries.Select(e => e.Key);
        foreach (var source in sources)
        {
            var mapped = bySource.TryGetValue(source, out var entry);
            var target = mapped ? entry.Target : source;
            if (landing.TryGetValue(target, out var other))
            {
                // Point at a mapping line: this source's, or else the other source's (an unmapped topic has none).
                var at = mapped ? entry.TargetAt : bySource[other].TargetAt;
                m.Ctx.Error(at, DiagnosticCodes.DuplicateMappingTarget,
                    $"{path} restores both \"{MapReader.Truncate(other)}\" and \"{MapReader.Truncate(source)}\" into topic " +
                    $"\"{MapReader.Truncate(target)}\"; give each source its own target");
                continue;
            }
            landing[target] = source;
        }
        return m.Ctx.ErrorCount > before ? ValueMap.Empty : new ValueMap(entries.Select(e => KeyValuePair.Create(e.Key, e.Value)));
    }

    private static bool EnabledFlag(MapReader m, string block)
    {
        var enabled = m.Bool("enabled");
        if (!m.Present("enabled") && m.Keys.Any())
        {
            m.Ctx.Warning(m.At, DiagnosticCodes.EnabledNotSet,
                $"{block} has settings but no enabled, so it is off; write enabled: true to use it (or enabled: false to keep it off)");
        }
        return enabled ?? false;
    }

    private static List<(string Value, TextPosition At)>? Groups(MapReader m, bool required, string hint, bool allowEmpty = false)
    {
        var groups = m.StringList("consumerGroups", required, hint, allowEmpty);
        foreach (var (g, at) in groups ?? [])
        {
            if (!Names.IsGroupId(g))
            {
                m.Ctx.Error(at, DiagnosticCodes.InvalidGroupName,
                    $"{m.FieldPath("consumerGroups")} entry \"{MapReader.Truncate(g)}\" is not a consumer group id (no control characters, at most 255)");
            }
        }
        return groups;
    }

    /// <summary>timestamp and offset apply to one strategy each: required there, a warning elsewhere.</summary>
    private static (DateTimeOffset? Timestamp, long? Offset) StrategyValues(MapReader m, OffsetResetStrategy? strategy, bool active)
    {
        var ts = m.Timestamp("timestamp", required: active && strategy == OffsetResetStrategy.Timestamp,
            hint: "strategy timestamp resets to the first offset at or after this time");
        var offset = m.Integer("offset", 0, long.MaxValue, required: active && strategy == OffsetResetStrategy.Offset,
            hint: "strategy offset resets to this offset (clamped to each partition's range)");
        if (strategy is { } s)
        {
            var name = SpecVocabulary.Text(SpecVocabulary.Strategies, s);
            if (s != OffsetResetStrategy.Timestamp && m.Present("timestamp"))
            {
                m.Ctx.Warning(m.KeyAt("timestamp"), DiagnosticCodes.UnusedField,
                    $"{m.FieldPath("timestamp")} is used only by strategy timestamp; strategy {name} ignores it");
            }
            if (s != OffsetResetStrategy.Offset && m.Present("offset"))
            {
                m.Ctx.Warning(m.KeyAt("offset"), DiagnosticCodes.UnusedField,
                    $"{m.FieldPath("offset")} is used only by strategy offset; strategy {name} ignores it");
            }
        }
        return (ts, offset);
    }

    private static string? SnapshotId(MapReader m, bool enabled, string defaultId, TextPosition blockAt)
    {
        var id = m.String("snapshotId");
        if (id is not null && !Names.IsSnapshotId(id))
        {
            m.Ctx.Error(m.Value("snapshotId")!.Start, DiagnosticCodes.InvalidSnapshotId, SnapshotMessage(m.FieldPath("snapshotId"), id));
            return null;
        }
        if (id is null && enabled)
        {
            if (!Names.IsSnapshotId(defaultId))
            {
                m.Ctx.Error(blockAt, DiagnosticCodes.InvalidSnapshotId,
                    $"the default snapshot id \"{MapReader.Truncate(defaultId)}\" is too long; set {m.FieldPath("snapshotId")}");
                return null;
            }
            return defaultId;
        }
        return id;
    }

    internal static string SnapshotMessage(string path, string id) =>
        $"{path} \"{MapReader.Truncate(id)}\" cannot name snapshots/<id>.yaml: use letters, digits, '.', '_' and '-', " +
        $"starting and ending with a letter or digit, at most {Names.MaxSnapshotIdLength} characters";
}
