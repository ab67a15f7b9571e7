namespace KafkaRestored.Restore.Engine;

/// <summary>How far one partition of a running restore got: selected records confirmed in the target and bytes handled, of the totals the manifest gives.</summary>
public sealed record PartitionProgress(string Topic, int Partition, long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal);
