using KafkaRestored.Daemon.Hosting;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>The KafkaRestoreDrill metrics as a scraper reads them: the newest run's age and whether it met its objectives, per drill.</summary>
public sealed class DrillMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ResourceRecord Drill(string name, params DrillRunStatus[] runs) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaRestoreDrill, "team-a", name),
        SpecHash = "h",
        Status = new KafkaRestoreDrillStatus { Phase = ResourcePhase.Completed, LastRuns = new ValueList<DrillRunStatus>(runs) },
        CreatedAt = Now.AddDays(-30),
    };

    private static DrillRunStatus Run(string result, double hoursAgo, double? restoreSeconds = 12.5) => new()
    {
        StartTime = Now.AddHours(-hoursAgo).AddMinutes(-1),
        CompletionTime = Now.AddHours(-hoursAgo),
        Result = result,
        RestoreSeconds = restoreSeconds,
    };

    [Fact]
    public void Each_drill_reports_its_newest_runs_age_and_whether_it_met_its_objectives()
    {
        ResourceRecord[] records =
        [
            Drill("weekly", Run("Passed", 2), Run("Failed", 170)),
            Drill("nightly", Run("Failed", 26, restoreSeconds: null), Run("Passed", 50)),
            Drill("never-ran"),
            new() { Id = new ResourceId(ResourceKinds.KafkaRestore, "team-a", "restore"), SpecHash = "h", Status = new KafkaRestoreStatus(), CreatedAt = Now },
        ];

        var parsed = PrometheusTextParser.Parse(PrometheusText.Render(DrillMetrics.Collect(records, Now)));

        Assert.Equal(2 * 3600, parsed["kafka_restored_drill_last_run_age_seconds{namespace=\"team-a\",name=\"weekly\"}"]);
        Assert.Equal(26 * 3600, parsed["kafka_restored_drill_last_run_age_seconds{namespace=\"team-a\",name=\"nightly\"}"]);
        Assert.Equal(1, parsed["kafka_restored_drill_objectives_met{namespace=\"team-a\",name=\"weekly\"}"]);
        Assert.Equal(0, parsed["kafka_restored_drill_objectives_met{namespace=\"team-a\",name=\"nightly\"}"]);
        Assert.Equal(12.5, parsed["kafka_restored_drill_last_restore_seconds{namespace=\"team-a\",name=\"weekly\"}"]);
        Assert.Equal(Now.AddHours(-2).ToUnixTimeSeconds(), parsed["kafka_restored_drill_last_run_timestamp_seconds{namespace=\"team-a\",name=\"weekly\"}"]);
        Assert.Equal("gauge", parsed.Types["kafka_restored_drill_objectives_met"]);
        // A drill that never ran, and other kinds, have no sample.
        Assert.DoesNotContain(parsed.Series.Keys, k => k.Contains("never-ran", StringComparison.Ordinal) || k.Contains("\"restore\"", StringComparison.Ordinal));
        Assert.Equal(8, parsed.Series.Count);
    }
}
