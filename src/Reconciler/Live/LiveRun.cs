using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Reconciler.Live;

/// <summary>
/// A read-only snapshot of one run in flight, built from the progress its runner last reported: totals,
/// the overall rate and time left, and every target partition. Immutable, so readers (the status page)
/// never touch the run itself.
/// </summary>
public sealed record LiveRun(ResourceId Id, long Generation, int Attempt, string Stage, long RecordsDone, long RecordsTotal,
    long BytesDone, long BytesTotal, double RecordsPerSecond, TimeSpan? TimeLeft, TimeSpan Elapsed, DateTimeOffset UpdatedAt,
    IReadOnlyList<LivePartition> Partitions)
{
    /// <summary>
    /// The snapshot after <paramref name="update"/>; per-partition rates are the records confirmed since
    /// <paramref name="previous"/> (the last snapshot of the same attempt) over the time between them.
    /// </summary>
    public static LiveRun From(ResourceId id, long generation, int attempt, RestoreProgressUpdate update, LiveRun? previous, DateTimeOffset now)
    {
        var p = update.Progress;
        var seconds = previous is null ? 0 : (now - previous.UpdatedAt).TotalSeconds;
        var before = previous?.Partitions.ToDictionary(x => (x.Topic, x.Partition)) ?? [];
        var partitions = update.Partitions.Select(x =>
        {
            var rate = seconds > 0 && before.TryGetValue((x.Topic, x.Partition), out var b) ? Math.Max(0, x.RecordsDone - b.RecordsDone) / seconds : 0;
            return new LivePartition(x.Topic, x.Partition, x.RecordsDone, x.RecordsTotal, x.BytesDone, x.BytesTotal, rate, Remaining(x.RecordsTotal - x.RecordsDone, rate));
        }).ToList();
        return new LiveRun(id, generation, attempt, update.Stage.ToString(), p.RecordsDone, p.RecordsTotal, p.BytesDone, p.BytesTotal,
            update.RecordsPerSecond, Remaining(p.RecordsTotal - p.RecordsDone, update.RecordsPerSecond), update.Elapsed, now, partitions);
    }

    /// <summary>Records left over the rate; zero when none are left, null when nothing moves.</summary>
    private static TimeSpan? Remaining(long left, double rate) =>
        left <= 0 ? TimeSpan.Zero : rate > 0 ? TimeSpan.FromSeconds(Math.Min(left / rate, TimeSpan.MaxValue.TotalSeconds / 2)) : null;
}
