using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Yaml;

// The canonical YAML of a KafkaBackup spec.
public static partial class ResourceYaml
{
    private static void Backup(Writer w, KafkaBackupSpec s, KafkaResource r)
    {
        w.MapStart();
        w.Key("kafkaCluster");
        Cluster(w, s.KafkaCluster);
        w.List("topics", s.Topics);
        w.Key("storage");
        Storage(w, s.Storage);
        w.Scalar("compression", SpecVocabulary.Text(SpecVocabulary.Compressions, s.Compression));
        if (s.CompressionLevel is { } level) w.Number("compressionLevel", level);
        w.Number("segmentMaxBytes", s.SegmentMaxBytes);
        w.Bool("includeOffsetHeaders", s.IncludeOffsetHeaders);
        if (s.SourceClusterId is not null) w.Scalar("sourceClusterId", s.SourceClusterId);
        if (s.ConsumerGroupSnapshot is { } g)
        {
            w.Key("consumerGroupSnapshot");
            w.MapStart();
            w.Bool("enabled", g.Enabled);
            w.List("consumerGroups", g.ConsumerGroups);
            w.MapEnd();
        }
        w.Scalar("schedule", s.Schedule);
        if (s.TimeZone is not null) w.Scalar("timeZone", s.TimeZone);
        if (s.Retention is { } ret)
        {
            w.Key("retention");
            w.MapStart();
            w.Bool("enabled", ret.Enabled);
            if (ret.MaxAgeDays is { } age) w.Number("maxAgeDays", age);
            if (ret.KeepLast is { } keep) w.Number("keepLast", keep);
            w.Bool("dryRun", ret.DryRun);
            w.MapEnd();
        }
        Scheduling(w, r);
        w.MapEnd();
    }
}
