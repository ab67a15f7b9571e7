using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Yaml;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for KafkaRestore (SPEC 3.1).
internal static partial class SpecReaders
{
    internal static readonly string[] RestoreFields =
    [
        "backupId", "targetCluster", "storage", "topics", "topicMapping", "pitr", "includeOriginalOffsetHeader",
        "offsetReset", "rollback", "resources", "job", "podTemplate", "onExistingData",
    ];

    private static readonly string[] PitrFields = ["enabled", "timestamp", "timestampMillis"];

    private static readonly string[] RestoreOffsetResetFields = ["enabled", "strategy", "sourceCluster", "consumerGroups", "timestamp", "offset"];

    private static readonly string[] ResourcesFields = ["requests", "limits"];

    private static readonly string[] QuantityFields = ["cpu", "memory"];

    private static readonly string[] JobFields = ["backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"];

    private static readonly string[] PodTemplateFields = ["annotations", "labels", "nodeSelector", "tolerations"];

    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect", "tolerationSeconds"];

    // Kubernetes' spellings; the index is the value so the text can be kept as given.
    private static readonly (string Text, int Value)[] TolerationOperators = [("Exists", 0), ("Equal", 1)];

    private static readonly (string Text, int Value)[] TolerationEffects = [("NoSchedule", 0), ("PreferNoSchedule", 1), ("NoExecute", 2)];

    public static KafkaRestoreSpec? Restore(MapReader spec, string name)
    {
        var errorsBefore = spec.Ctx.ErrorCount;
        var backupId = BackupId(spec, required: true);
        var cluster = Cluster(spec, "targetCluster", required: true, replicationFactorUsed: true);
        var storage = Storage(spec, required: true);
        var topics = Topics(spec, required: false, "omit topics to restore every topic in the backup");
        var mapping = TopicMapping(spec, topics);
        var pitr = Pitr(spec);
        var includeHeader = spec.Bool("includeOriginalOffsetHeader") ?? false;
        var offsetReset = RestoreOffsetReset(spec);
        var rollback = Rollback(spec, name, offsetReset.Groups);
        var resources = ResourceBudget(spec);
        var job = Job(spec);
        var podTemplate = PodTemplate(spec);
        var onExisting = spec.Enum("onExistingData", SpecVocabulary.ExistingDataPolicies) ?? OnExistingData.Fail;
        if (spec.Ctx.ErrorCount > errorsBefore) return null;
        return new KafkaRestoreSpec(backupId!, cluster!, storage!,
            topics is null ? null : new ValueList<string>(topics.Select(t => t.Value)),
            mapping, pitr, includeHeader, offsetReset.Spec, rollback, resources, job, podTemplate, onExisting);
    }

    private static string? BackupId(MapReader m, bool required)
    {
        var id = m.String("backupId", required, "name the backup to restore, as in {prefix/}{backupId}/manifest.json");
        if (id is null || Names.IsBackupId(id)) return id;
        m.Ctx.Error(m.Value("backupId")!.Start, DiagnosticCodes.InvalidBackupId,
            $"{m.FieldPath("backupId")} \"{MapReader.Truncate(id)}\" cannot name a backup folder: no '/', '\\', " +
            "control characters, surrounding spaces, \".\" or \"..\"; at most 255 characters");
        return null;
    }

    private static PitrSpec? Pitr(MapReader spec)
    {
        var m = spec.Map("pitr", PitrFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var ts = m.Timestamp("timestamp");
        var ms = m.Integer("timestampMillis", 0, long.MaxValue);
        if (m.Value("timestamp") is not null && m.Value("timestampMillis") is not null)
        {
            m.Ctx.Error(m.KeyAt("timestampMillis"), DiagnosticCodes.ConflictingFields,
                $"{m.Path} gives both timestamp and timestampMillis; keep exactly one");
        }
        else if (enabled && m.Value("timestamp") is null && m.Value("timestampMillis") is null)
        {
            m.Ctx.Error(spec.KeyAt("pitr"), DiagnosticCodes.RequiredField,
                $"{m.Path} is enabled but gives no cutoff: add timestamp (ISO 8601 with zone) or timestampMillis");
        }
        return m.Ctx.ErrorCount > before ? null : new PitrSpec(enabled, ts, ms);
    }

    private static (OffsetResetSpec? Spec, List<(string Value, TextPosition At)>? Groups) RestoreOffsetReset(MapReader spec)
    {
        var m = spec.Map("offsetReset", RestoreOffsetResetFields);
        if (m is null) return (null, []);
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var strategy = m.Enum("strategy", SpecVocabulary.Strategies, required: true);
        var groups = Groups(m, required: enabled, hint: "list the consumer groups to reset", allowEmpty: !enabled);
        if (groups is null && m.Value("consumerGroups") is null) groups = [];
        var (ts, offset) = StrategyValues(m, strategy, enabled);
        var source = m.String("sourceCluster");
        if (m.Ctx.ErrorCount > before) return (null, groups);
        var list = new ValueList<string>((groups ?? []).Select(g => g.Value));
        return (new OffsetResetSpec(enabled, strategy!.Value, source, list, ts, offset), groups);
    }

    private static RollbackSpec? Rollback(MapReader spec, string name, List<(string Value, TextPosition At)>? groups)
    {
        var m = spec.Map("rollback", SnapshotFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var id = SnapshotId(m, enabled, name + "-pre-restore", spec.KeyAt("rollback"));
        if (enabled && groups is { Count: 0 })
        {
            m.Ctx.Error(m.KeyAt("enabled"), DiagnosticCodes.RequiredField,
                "rollback.enabled needs offsetReset.consumerGroups: the snapshot records those groups' committed offsets");
        }
        return m.Ctx.ErrorCount > before ? null : new RollbackSpec(enabled, id);
    }

    private static ResourcesSpec? ResourceBudget(MapReader spec)
    {
        var m = spec.Map("resources", ResourcesFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var requests = QuantityBlock(m, "requests");
        var limits = QuantityBlock(m, "limits");
        if (requests is not null && limits is not null)
        {
            if (requests.CpuMillis > limits.CpuMillis)
            {
                m.Ctx.Error(m.Map("requests", QuantityFields)!.KeyAt("cpu"), DiagnosticCodes.RequestExceedsLimit,
                    $"{m.FieldPath("requests.cpu")} is more than {m.FieldPath("limits.cpu")}; a request cannot exceed its limit");
            }
            if (requests.MemoryBytes > limits.MemoryBytes)
            {
                m.Ctx.Error(m.Map("requests", QuantityFields)!.KeyAt("memory"), DiagnosticCodes.RequestExceedsLimit,
                    $"{m.FieldPath("requests.memory")} is more than {m.FieldPath("limits.memory")}; a request cannot exceed its limit");
            }
        }
        return m.Ctx.ErrorCount > before ? null : new ResourcesSpec(requests, limits);
    }

    private static ResourceQuantities? QuantityBlock(MapReader resources, string key)
    {
        var m = resources.Map(key, QuantityFields);
        if (m is null) return null;
        long? cpu = null;
        long? memory = null;
        var ok = true;
        if (m.Value("cpu") is { } cpuNode)
        {
            if (QuantityText(m, "cpu", cpuNode) is { } text)
            {
                if (Quantities.TryParseCpuMillis(text, out var v)) cpu = v;
                else ok = BadQuantity(m, "cpu", cpuNode, text, "a positive cpu amount such as 2, 0.5 or 500m");
            }
            else ok = false;
        }
        if (m.Value("memory") is { } memNode)
        {
            if (QuantityText(m, "memory", memNode) is { } text)
            {
                if (Quantities.TryParseBytes(text, out var v)) memory = v;
                else ok = BadQuantity(m, "memory", memNode, text, "a positive byte amount such as 512Mi, 2Gi, 1G or 1e9");
            }
            else ok = false;
        }
        return ok ? new ResourceQuantities(cpu, memory) : null;
    }

    private static string? QuantityText(MapReader m, string key, YNode node)
    {
        if (node is YScalar s && m.Ctx.CheckTag(s, m.FieldPath(key))) return s.Value;
        if (node is not YScalar)
            m.Ctx.Error(node.Start, DiagnosticCodes.InvalidType, $"{m.FieldPath(key)} must be a quantity, not {node.Describe()}");
        return null;
    }

    private static bool BadQuantity(MapReader m, string key, YNode node, string text, string expected)
    {
        m.Ctx.Error(node.Start, DiagnosticCodes.InvalidQuantity,
            $"{m.FieldPath(key)} is \"{MapReader.Truncate(text)}\"; write {expected}");
        return false;
    }

    private static JobSpec Job(MapReader spec)
    {
        var m = spec.Map("job", JobFields);
        if (m is null) return JobSpec.Default;
        var backoff = m.Integer("backoffLimit", 0, int.MaxValue);
        var deadline = m.Integer("activeDeadlineSeconds", 1, long.MaxValue / 1000, rangeHint: "a positive number of seconds");
        var ttl = m.Integer("ttlSecondsAfterFinished", 0, long.MaxValue / 1000);
        return new JobSpec((int)(backoff ?? JobSpec.Default.BackoffLimit), deadline, ttl);
    }

    private static PodTemplateSpec? PodTemplate(MapReader spec)
    {
        if (!spec.Present("podTemplate")) return null;
        var before = spec.Ctx.ErrorCount;
        if (spec.Value("podTemplate") is null or YMapping)
        {
            spec.Ctx.Warning(spec.KeyAt("podTemplate"), DiagnosticCodes.IgnoredField,
                "podTemplate has no meaning outside Kubernetes: it is accepted and ignored (status names it under IgnoredFields)");
        }
        var m = spec.Map("podTemplate", PodTemplateFields);
        if (m is null) return spec.Ctx.ErrorCount > before ? null : PodTemplateSpec.Empty;
        var annotations = m.StringMap("annotations");
        var labels = m.StringMap("labels");
        var nodeSelector = m.StringMap("nodeSelector");
        var tolerations = Tolerations(m);
        if (spec.Ctx.ErrorCount > before) return null;
        static ValueMap Values(List<(string Key, TextPosition KeyAt, string Value, TextPosition ValueAt)>? pairs) =>
            pairs is null ? ValueMap.Empty : new ValueMap(pairs.Select(p => KeyValuePair.Create(p.Key, p.Value)));
        return new PodTemplateSpec(Values(annotations), Values(labels), Values(nodeSelector),
            new ValueList<Toleration>(tolerations));
    }

    private static List<Toleration> Tolerations(MapReader podTemplate)
    {
        var result = new List<Toleration>();
        var v = podTemplate.Value("tolerations");
        if (v is null) return result;
        var path = podTemplate.FieldPath("tolerations");
        if (v is not YSequence seq)
        {
            podTemplate.Ctx.Error(v.Start, DiagnosticCodes.InvalidType, $"{path} must be a list of tolerations, not {v.Describe()}");
            return result;
        }
        podTemplate.Ctx.CheckTag(seq, path);
        for (var i = 0; i < seq.Items.Count; i++)
        {
            var item = seq.Items[i];
            if (item is YScalar { IsNull: true })
            {
                podTemplate.Ctx.Error(item.Start, DiagnosticCodes.RequiredField, $"{path}[{i}] is empty");
                continue;
            }
            var t = MapReader.Open(podTemplate.Ctx, item, $"{path}[{i}]", item.Start, TolerationFields);
            if (t is null) continue;
            var op = t.Enum("operator", TolerationOperators);
            var effect = t.Enum("effect", TolerationEffects);
            // Kubernetes gives an empty key and value meanings (match every taint key; operator Exists).
            result.Add(new Toleration(t.String("key", allowEmpty: true), op is null ? null : TolerationOperators[op.Value].Text,
                t.String("value", allowEmpty: true),
                effect is null ? null : TolerationEffects[effect.Value].Text, t.Integer("tolerationSeconds", long.MinValue, long.MaxValue)));
        }
        return result;
    }

}
