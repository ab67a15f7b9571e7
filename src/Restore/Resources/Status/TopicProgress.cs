namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Progress of one topic.</summary>
public sealed record TopicProgress(string Name, long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal);
