namespace KafkaRestored.Reconciler.Live;

/// <summary>One partition of a running restore as the status page shows it: done of total, the rate over the last report, and the time left at that rate (null when it does not move).</summary>
public sealed record LivePartition(string Topic, int Partition, long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal,
    double RecordsPerSecond, TimeSpan? TimeLeft);
