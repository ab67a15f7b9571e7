using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;

namespace KafkaRestored.Restore.Resources.Yaml;

// The canonical YAML of a KafkaRestoreDrill's spec.
public static partial class ResourceYaml
{
    private static void Drill(Writer w, KafkaRestoreDrillSpec s, KafkaResource r)
    {
        w.MapStart();
        w.Scalar("schedule", s.Schedule);
        if (s.BackupId is not null) w.Scalar("backupId", s.BackupId);
        if (s.Storage is not null)
        {
            w.Key("storage");
            Storage(w, s.Storage);
        }
        if (s.BackupRef is { } backupRef)
        {
            w.Key("backupRef");
            w.MapStart();
            w.Scalar("name", backupRef.Name);
            w.Scalar("namespace", backupRef.Namespace);
            w.MapEnd();
        }
        w.Key("targetCluster");
        Cluster(w, s.TargetCluster);
        w.Scalar("topicPrefix", s.TopicPrefix);
        if (s.Topics is not null) w.List("topics", s.Topics);
        if (s.Objectives.Rto is not null || s.Objectives.Rpo is not null)
        {
            w.Key("objectives");
            w.MapStart();
            if (s.Objectives.Rto is { } rto) w.Scalar("rto", Durations.Format(rto));
            if (s.Objectives.Rpo is { } rpo) w.Scalar("rpo", Durations.Format(rpo));
            w.MapEnd();
        }
        Scheduling(w, r);
        w.MapEnd();
    }
}
