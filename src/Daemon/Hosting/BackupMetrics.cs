using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>
/// Metrics of the KafkaBackup resources (issue #24), one sample per resource that has completed a backup: when its newest
/// backup completed and how old that is, for alerts such as "no backup in 26 hours". Labels are namespace and name only.
/// </summary>
public static class BackupMetrics
{
    /// <summary>The backup metric families at <paramref name="now"/>.</summary>
    public static IEnumerable<MetricFamily> Collect(IEnumerable<ResourceRecord> records, DateTimeOffset now)
    {
        var newest = records
            .Where(r => r.Id.Kind == ResourceKinds.KafkaBackup && r.Status is KafkaBackupStatus { LastBackup.CompletionTime: not null })
            .Select(r => (r.Id, Completed: ((KafkaBackupStatus)r.Status).LastBackup!.CompletionTime!.Value))
            .OrderBy(b => b.Id.Namespace, StringComparer.Ordinal).ThenBy(b => b.Id.Name, StringComparer.Ordinal)
            .ToList();
        MetricSample Sample((ResourceId Id, DateTimeOffset Completed) b, double value) =>
            new([new("namespace", b.Id.Namespace), new("name", b.Id.Name)], value);
        yield return new MetricFamily("kafka_restored_backup_last_completion_timestamp_seconds", "gauge",
            "Unix time the newest backup of each KafkaBackup completed (no sample before its first).",
            [.. newest.Select(b => Sample(b, b.Completed.ToUnixTimeMilliseconds() / 1000.0))]);
        yield return new MetricFamily("kafka_restored_backup_last_completion_age_seconds", "gauge",
            "Seconds since the newest backup of each KafkaBackup completed (no sample before its first).",
            [.. newest.Select(b => Sample(b, Math.Max(0, (now - b.Completed).TotalSeconds)))]);
    }
}
