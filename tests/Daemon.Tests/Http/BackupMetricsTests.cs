using KafkaRestored.Daemon.Hosting;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>Issue #24: /metrics tells, per KafkaBackup, when its newest backup completed and how old it is, as a scraper reads it.</summary>
public sealed class BackupMetricsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static ResourceRecord Record(string kind, string name, ResourceStatus status) => new()
    {
        Id = new ResourceId(kind, "team-a", name),
        SpecHash = "h",
        Status = status,
        CreatedAt = Now.AddDays(-3),
    };

    [Fact]
    public void Each_backup_with_a_completed_backup_has_its_completion_time_and_age_and_one_without_has_no_sample()
    {
        var completed = Now.AddHours(-2).AddSeconds(-30);
        ResourceRecord[] records =
        [
            Record(ResourceKinds.KafkaBackup, "nightly", new KafkaBackupStatus
            {
                Phase = ResourcePhase.Running,
                LastBackup = new BackupRunStatus { BackupId = "nightly-20261207-100000", Stage = "Completed", CompletionTime = completed },
            }),
            Record(ResourceKinds.KafkaBackup, "weekly", new KafkaBackupStatus { Phase = ResourcePhase.Pending }),
            Record(ResourceKinds.KafkaRestore, "restore", new KafkaRestoreStatus { Phase = ResourcePhase.Completed, CompletionTime = Now }),
        ];

        var parsed = PrometheusTextParser.Parse(PrometheusText.Render(BackupMetrics.Collect(records, Now)));

        Assert.Equal("gauge", parsed.Types["kafka_restored_backup_last_completion_age_seconds"]);
        Assert.Equal(7230, parsed["kafka_restored_backup_last_completion_age_seconds{namespace=\"team-a\",name=\"nightly\"}"]);
        Assert.Equal(completed.ToUnixTimeSeconds(), parsed["kafka_restored_backup_last_completion_timestamp_seconds{namespace=\"team-a\",name=\"nightly\"}"]);
        // Only the one backup that completed: no sample for the one waiting for its first run, none for other kinds.
        Assert.Equal(2, parsed.Series.Count);
    }
}
