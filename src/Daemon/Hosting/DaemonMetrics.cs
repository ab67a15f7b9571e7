using System.Globalization;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Hosting;

/// <summary>
/// The daemon's Prometheus metrics, read at scrape time from the loop's counters and the state
/// store (the store is the truth about what ran). Labels carry kinds and phases, never secrets.
/// </summary>
public static class DaemonMetrics
{
    /// <summary>Every metric family; <paramref name="time"/> (default: the system clock) dates the age metrics.</summary>
    public static IEnumerable<MetricFamily> Collect(ReconcilerCounters counters, StateStore store, LoopHeartbeat heartbeat, TimeProvider? time = null)
    {
        var records = store.Resources(includeTombstones: false);
        yield return MetricFamily.Single("kafka_restored_cycles_total", "counter", "Reconcile cycles started.", counters.Cycles);
        yield return MetricFamily.Single("kafka_restored_cycles_skipped_total", "counter", "Cycles that found nothing to do (commit unchanged, no work due).", counters.SkippedCycles);
        yield return MetricFamily.Single("kafka_restored_git_fetch_errors_total", "counter", "Fetches of the config repository that failed.", counters.FetchErrors);
        yield return MetricFamily.Single("kafka_restored_git_force_pushes_total", "counter", "Fetches that found the config branch rewritten (force-pushed) under the daemon.", counters.ForcePushes);
        yield return MetricFamily.Single("kafka_restored_status_commits_total", "counter", "Status commits made.", counters.StatusCommits);
        yield return MetricFamily.Single("kafka_restored_status_push_failures_total", "counter", "Status pushes that failed.", counters.PushFailures);
        yield return MetricFamily.Single("kafka_restored_last_successful_sync_timestamp_seconds", "gauge",
            "Unix time of the last cycle that fetched, reconciled and published without error (0: none yet).",
            counters.LastSuccessfulSync?.ToUnixTimeMilliseconds() / 1000.0 ?? 0);
        yield return MetricFamily.Single("kafka_restored_loop_alive", "gauge", "1 while the reconcile loop makes progress, else 0.", heartbeat.IsAlive ? 1 : 0);
        yield return MetricFamily.Single("kafka_restored_runs_in_flight", "gauge", "Resources executing now.", counters.Running);
        yield return MetricFamily.Single("kafka_restored_runs_in_flight_max", "gauge", "Most resources executing at once since the daemon started (at most maxConcurrentRestores).", counters.PeakRunning);

        var byPhase = new List<MetricSample>();
        foreach (var kind in ResourceKinds.All)
        {
            foreach (var phase in Enum.GetValues<ResourcePhase>())
            {
                var n = records.Count(r => r.Id.Kind == kind && r.Phase == phase);
                byPhase.Add(new MetricSample([new("kind", kind), new("phase", phase.ToString())], n));
            }
        }
        yield return new MetricFamily("kafka_restored_resources", "gauge", "Resources known to the state store, by kind and phase.", byPhase);

        var restores = records.Where(r => r.Id.Kind == ResourceKinds.KafkaRestore).Select(r => r.Status).OfType<KafkaRestoreStatus>().ToList();
        yield return MetricFamily.Single("kafka_restored_restored_records", "gauge",
            "Records written by the restores in the state store (completed ones, and progress of running ones).",
            restores.Sum(s => s.RestoredRecords ?? s.Progress?.RecordsDone ?? 0));
        yield return MetricFamily.Single("kafka_restored_restored_bytes", "gauge",
            "Bytes (keys, values, headers) written by the restores in the state store (completed ones, and progress of running ones).",
            restores.Sum(s => s.RestoredBytes ?? s.Progress?.BytesDone ?? 0));
        var durations = restores.Where(s => s.Phase == ResourcePhase.Completed && s.StartTime is not null && s.CompletionTime is not null)
            .Select(s => (s.CompletionTime!.Value - s.StartTime!.Value).TotalSeconds).ToList();
        yield return Histogram("kafka_restored_restore_duration_seconds", "Wall time of completed restores, start to completion.",
            RestoreDurationBuckets, durations);
        foreach (var family in BackupMetrics.Collect(records, (time ?? TimeProvider.System).GetUtcNow())) yield return family;
    }

    /// <summary>Upper bounds (seconds) of the restore-duration buckets: 1 min to 1 day, for alerts such as "a restore took over an hour".</summary>
    public static IReadOnlyList<double> RestoreDurationBuckets { get; } = [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400];

    /// <summary>A Prometheus histogram of <paramref name="values"/>: cumulative buckets up to each bound and +Inf, then _sum and _count.</summary>
    public static MetricFamily Histogram(string name, string help, IReadOnlyList<double> bounds, IReadOnlyCollection<double> values)
    {
        var samples = bounds.Select(b => new MetricSample([new("le", b.ToString(CultureInfo.InvariantCulture))], values.Count(v => v <= b), "_bucket")).ToList();
        samples.Add(new MetricSample([new("le", "+Inf")], values.Count, "_bucket"));
        samples.Add(new MetricSample([], values.Sum(), "_sum"));
        samples.Add(new MetricSample([], values.Count, "_count"));
        return new MetricFamily(name, "histogram", help, samples);
    }
}
