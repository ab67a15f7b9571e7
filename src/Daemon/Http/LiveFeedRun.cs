namespace KafkaRestored.Daemon.Http;

/// <summary>A running restore in the live feed: totals, rate and time left (seconds; null when it does not move), per partition.</summary>
public sealed record LiveFeedRun(string Kind, string Namespace, string Name, string Url, string Stage, long RecordsDone, long RecordsTotal,
    long BytesDone, long BytesTotal, double RecordsPerSecond, double? TimeLeftSeconds, double ElapsedSeconds, DateTimeOffset UpdatedAt,
    IReadOnlyList<LiveFeedPartition> Partitions);
