using KafkaRestored.Reconciler.Live;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Reconciler.Tests.Live;

/// <summary>The live snapshot of a run: per-partition rates from two reports, and the time left at those rates.</summary>
public sealed class LiveRunTests
{
    private static readonly ResourceId Id = new("KafkaRestore", "ns", "r");
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Rates_come_from_the_records_confirmed_between_two_reports_and_give_the_time_left()
    {
        var first = LiveRun.From(Id, 2, 1, Update(10, [P(0, 10, 100), P(1, 0, 50)], rate: 0), null, T0);
        Assert.All(first.Partitions, p => Assert.Equal(0, p.RecordsPerSecond));
        Assert.Null(first.TimeLeft);
        Assert.Null(first.Partitions[0].TimeLeft);

        var second = LiveRun.From(Id, 2, 1, Update(50, [P(0, 50, 100), P(1, 0, 50)], rate: 20), first, T0.AddSeconds(2));
        Assert.Equal((2L, 1, "Restoring"), (second.Generation, second.Attempt, second.Stage));
        Assert.Equal((50L, 150L), (second.RecordsDone, second.RecordsTotal));
        Assert.Equal(TimeSpan.FromSeconds(5), second.TimeLeft);
        var p0 = second.Partitions[0];
        Assert.Equal(20, p0.RecordsPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(2.5), p0.TimeLeft);
        // A partition that did not move has no time left to give.
        Assert.Equal(0, second.Partitions[1].RecordsPerSecond);
        Assert.Null(second.Partitions[1].TimeLeft);

        var done = LiveRun.From(Id, 2, 1, Update(150, [P(0, 100, 100), P(1, 50, 50)], rate: 0), second, T0.AddSeconds(4));
        Assert.Equal(TimeSpan.Zero, done.TimeLeft);
        Assert.All(done.Partitions, p => Assert.Equal(TimeSpan.Zero, p.TimeLeft));
    }

    private static PartitionProgress P(int partition, long done, long total) => new("t", partition, done, total, done * 10, total * 10);

    private static RestoreProgressUpdate Update(long done, PartitionProgress[] partitions, double rate) =>
        new(RestoreStage.Restoring, new RestoreProgress(done, 150, done * 10, 1500, new ValueList<TopicProgress>([new TopicProgress("t", done, 150, done * 10, 1500)])),
            rate, TimeSpan.FromSeconds(1))
        { Partitions = partitions };
}
