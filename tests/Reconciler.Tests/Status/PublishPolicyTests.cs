using KafkaRestored.Reconciler.State;
using KafkaRestored.Reconciler.Status;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Tests.Status;

public sealed class PublishPolicyTests
{
    private static readonly DateTimeOffset T0 = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private static ResourceRecord Running(long done) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "r"),
        SpecHash = "h",
        CreatedAt = T0,
        Status = new KafkaRestoreStatus
        {
            Phase = ResourcePhase.Running,
            StartTime = T0,
            Progress = new RestoreProgress(done, 1_000_000, done * 200, 200_000_000, ValueList<TopicProgress>.Empty),
        },
    };

    [Fact]
    public void Progress_while_Running_is_published_at_most_every_interval_and_phase_changes_at_once()
    {
        var published = PublishPolicy.Apply(Running(0), T0, Interval);
        Assert.Equal(T0, published.PublishedAt);

        var progressed = published with { Status = Running(450_000).Status };
        Assert.Same(progressed, PublishPolicy.Apply(progressed, T0.AddMinutes(4), Interval));
        Assert.Equal(T0.AddMinutes(5), PublishPolicy.DueAt(progressed, Interval));
        Assert.Equal(progressed.Status, PublishPolicy.Apply(progressed, T0.AddMinutes(5), Interval).PublishedStatus);

        var completed = progressed with { Status = progressed.Status with { Phase = ResourcePhase.Completed } };
        Assert.Equal(ResourcePhase.Completed, PublishPolicy.Apply(completed, T0.AddMinutes(1), Interval).PublishedStatus!.Phase);
    }

    [Fact]
    public void An_unchanged_status_is_never_due()
    {
        var published = PublishPolicy.Apply(Running(10), T0, Interval);
        Assert.False(PublishPolicy.IsDue(published, T0.AddHours(1), Interval));
        Assert.Null(PublishPolicy.DueAt(published, Interval));
    }

    [Fact]
    public void Progress_reads_well_in_a_commit_subject()
    {
        var change = new StatusChange(Running(450_000).Id, "Running", Running(450_000).Status);
        Assert.Equal("Running (45%, 450,000/1,000,000 records)", change.Summary());
        Assert.Equal("1h2m3s", StatusChange.GoDuration(new TimeSpan(1, 2, 3)));
        Assert.Equal("30m0s", StatusChange.GoDuration(TimeSpan.FromMinutes(30)));
        Assert.Equal("45s", StatusChange.GoDuration(TimeSpan.FromSeconds(45)));
    }
}
