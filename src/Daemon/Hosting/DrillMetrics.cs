using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>The KafkaRestoreDrill metrics, per drill (labels namespace and name): how old its newest run is and whether that run met its objectives.</summary>
public static class DrillMetrics
{
    /// <summary>The drill families from the state store's <paramref name="records"/>, ages measured at <paramref name="now"/>; drills that never ran have no sample.</summary>
    public static IEnumerable<MetricFamily> Collect(IReadOnlyList<ResourceRecord> records, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(records);
        var drills = records.Where(r => r.Id.Kind == ResourceKinds.KafkaRestoreDrill && !r.Tombstone)
            .Select(r => (r.Id, Last: r.Status is KafkaRestoreDrillStatus { LastRuns.Count: > 0 } s ? s.LastRuns[0] : null))
            .Where(d => d.Last is not null)
            .OrderBy(d => d.Id.Namespace, StringComparer.Ordinal).ThenBy(d => d.Id.Name, StringComparer.Ordinal)
            .ToList();
        MetricFamily Family(string name, string help, Func<DrillRunStatus, double> value) =>
            new(name, "gauge", help, [.. drills.Select(d => new MetricSample([new("namespace", d.Id.Namespace), new("name", d.Id.Name)], value(d.Last!)))]);
        yield return Family("kafka_restored_drill_last_run_age_seconds",
            "Seconds since the newest run of each KafkaRestoreDrill ended (alert when it exceeds the schedule's period).",
            r => Math.Max(0, (now - r.CompletionTime).TotalSeconds));
        yield return Family("kafka_restored_drill_last_run_timestamp_seconds", "Unix time the newest run of each KafkaRestoreDrill ended.",
            r => r.CompletionTime.ToUnixTimeMilliseconds() / 1000.0);
        yield return Family("kafka_restored_drill_objectives_met",
            "1 when the newest run of each KafkaRestoreDrill passed (every record verified, rto and rpo met), else 0.",
            r => r.Result == "Passed" ? 1 : 0);
        yield return Family("kafka_restored_drill_last_restore_seconds", "Seconds the newest run of each KafkaRestoreDrill took to restore (0 when it did not restore).",
            r => r.RestoreSeconds ?? 0);
    }
}
