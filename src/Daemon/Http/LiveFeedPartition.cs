namespace KafkaRestored.Daemon.Http;

/// <summary>One target partition of a running restore in the live feed.</summary>
public sealed record LiveFeedPartition(string Topic, int Number, long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal,
    double RecordsPerSecond, double? TimeLeftSeconds);
