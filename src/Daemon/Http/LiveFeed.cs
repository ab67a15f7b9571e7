using KafkaRestored.Reconciler.Live;
using KafkaRestored.Reconciler.State;

namespace KafkaRestored.Daemon.Http;

/// <summary>The JSON /api/live serves and the page's script polls: every resource's phase and each running restore's progress.</summary>
public sealed record LiveFeed(DateTimeOffset GeneratedAt, IReadOnlyList<LiveFeedResource> Resources, IReadOnlyList<LiveFeedRun> Runs)
{
    /// <summary>The feed of these records and runs.</summary>
    public static LiveFeed From(IEnumerable<ResourceRecord> records, IEnumerable<LiveRun> runs, DateTimeOffset now) => new(now,
        [.. records.Where(r => !r.Tombstone).Select(r => new LiveFeedResource(r.Id.Kind, r.Id.Namespace, r.Id.Name, r.Phase.ToString()))],
        [.. runs.Select(r => new LiveFeedRun(r.Id.Kind, r.Id.Namespace, r.Id.Name, PageFormat.ResourceUrl(r.Id), r.Stage, r.RecordsDone, r.RecordsTotal,
            r.BytesDone, r.BytesTotal, r.RecordsPerSecond, r.TimeLeft?.TotalSeconds, r.Elapsed.TotalSeconds, r.UpdatedAt,
            [.. r.Partitions.Select(p => new LiveFeedPartition(p.Topic, p.Partition, p.RecordsDone, p.RecordsTotal, p.BytesDone, p.BytesTotal,
                p.RecordsPerSecond, p.TimeLeft?.TotalSeconds))]))]);
}
