using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Scheduling;

namespace KafkaRestored.Restore.Resources.Validation;

// SpecReaders for KafkaBackup (issue #24; OSO's field names, docs/resources.md#kafkabackup).
internal static partial class SpecReaders
{
    internal static readonly string[] BackupFields =
    [
        "kafkaCluster", "topics", "storage", "compression", "compressionLevel", "segmentMaxBytes", "includeOffsetHeaders",
        "sourceClusterId", "consumerGroupSnapshot", "schedule", "timeZone", "retention",
    ];

    private static readonly string[] GroupSnapshotFields = ["enabled", "consumerGroups"];

    private static readonly string[] RetentionFields = ["enabled", "maxAgeDays", "keepLast", "dryRun"];

    /// <summary>The backup id suffix the daemon appends to metadata.name (see <c>KafkaBackupIds</c>), for the length check.</summary>
    private const string BackupIdSuffixExample = "-20260101-000000";

    public static KafkaBackupSpec? Backup(MapReader spec, string name)
    {
        var before = spec.Ctx.ErrorCount;
        if (!Names.IsBackupId(name + BackupIdSuffixExample))
        {
            spec.Ctx.Error(spec.At, DiagnosticCodes.InvalidName,
                $"metadata.name \"{MapReader.Truncate(name)}\" is too long for a KafkaBackup: its backups are named <name>{BackupIdSuffixExample}, at most 255 characters; use a name of at most {255 - BackupIdSuffixExample.Length} characters");
        }
        var cluster = Cluster(spec, "kafkaCluster", required: true, replicationFactorUsed: false);
        var topics = Topics(spec, required: true, "list the topics to back up");
        var storage = Storage(spec, required: true);
        var compression = spec.Enum("compression", SpecVocabulary.Compressions) ?? BackupCompression.Zstd;
        var level = CompressionLevel(spec, compression);
        var segmentBytes = spec.Integer("segmentMaxBytes", 1024, 1024L * 1024 * 1024,
            rangeHint: "between 1024 and 1073741824 (1 GiB); the default is 67108864 (64 MiB)") ?? KafkaBackupSpec.DefaultSegmentMaxBytes;
        var includeHeaders = spec.Bool("includeOffsetHeaders") ?? false;
        var sourceClusterId = spec.String("sourceClusterId");
        var groups = GroupSnapshot(spec);
        var (schedule, zone) = Schedule(spec);
        var retention = Retention(spec);
        if (spec.Ctx.ErrorCount > before) return null;
        return new KafkaBackupSpec(cluster!, new ValueList<string>(topics!.Select(t => t.Value)), storage!, compression, level, segmentBytes,
            includeHeaders, sourceClusterId, groups, schedule!, zone, retention);
    }

    private static int? CompressionLevel(MapReader spec, BackupCompression compression)
    {
        if (!spec.Present("compressionLevel")) return null;
        var (min, max) = compression switch
        {
            BackupCompression.Zstd => (1, 22),
            BackupCompression.Lz4 => (0, 12),
            _ => (0, 0),
        };
        if (compression == BackupCompression.None)
        {
            spec.Ctx.Warning(spec.KeyAt("compressionLevel"), DiagnosticCodes.UnusedField,
                $"{spec.FieldPath("compressionLevel")} is used only with compression zstd or lz4; compression none ignores it");
            return null;
        }
        var name = SpecVocabulary.Text(SpecVocabulary.Compressions, compression);
        return (int?)spec.Integer("compressionLevel", min, max, rangeHint: $"between {min} and {max} for {name}");
    }

    private static ConsumerGroupSnapshotSpec? GroupSnapshot(MapReader spec)
    {
        var m = spec.Map("consumerGroupSnapshot", GroupSnapshotFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        // Listed, not discovered: listing a cluster's groups is not possible on every broker.
        var groups = Groups(m, required: enabled, hint: "list the consumer groups whose committed offsets each backup saves", allowEmpty: !enabled);
        if (m.Ctx.ErrorCount > before) return null;
        return new ConsumerGroupSnapshotSpec(enabled, new ValueList<string>((groups ?? []).Select(g => g.Value)));
    }

    private static (string? Schedule, string? Zone) Schedule(MapReader spec)
    {
        var text = spec.String("schedule", required: true, hint: "a cron schedule such as \"0 2 * * *\" (02:00 UTC every day)");
        var zone = spec.String("timeZone");
        if (text is null) return (null, zone);
        if (CronSchedule.TryParse(text, zone, out var error) is null)
        {
            // A bad zone is the timeZone field's fault unless the schedule carries its own prefix.
            var at = zone is not null && error!.StartsWith("time zone", StringComparison.Ordinal) && !text.TrimStart().Contains("TZ=", StringComparison.Ordinal)
                ? spec.Value("timeZone")!.Start
                : spec.Value("schedule")!.Start;
            spec.Ctx.Error(at, DiagnosticCodes.InvalidSchedule, $"{spec.FieldPath("schedule")}: {error}");
            return (null, zone);
        }
        return (text, zone);
    }

    private static BackupRetentionSpec? Retention(MapReader spec)
    {
        var m = spec.Map("retention", RetentionFields);
        if (m is null) return null;
        var before = m.Ctx.ErrorCount;
        var enabled = EnabledFlag(m, m.Path);
        var maxAge = m.Integer("maxAgeDays", 1, 36500, rangeHint: "a whole number of days between 1 and 36500");
        var keepLast = m.Integer("keepLast", 1, 100000, rangeHint: "between 1 and 100000 (the newest backup is always kept)");
        var dryRun = m.Bool("dryRun") ?? false;
        if (enabled && maxAge is null && keepLast is null && m.Ctx.ErrorCount == before)
        {
            m.Ctx.Error(spec.KeyAt("retention"), DiagnosticCodes.RequiredField,
                $"{m.Path} is enabled but has no rule: add keepLast (keep the newest N backups) and/or maxAgeDays (keep backups younger than N days)");
        }
        return m.Ctx.ErrorCount > before ? null : new BackupRetentionSpec(enabled, (int?)maxAge, (int?)keepLast, dryRun);
    }
}
