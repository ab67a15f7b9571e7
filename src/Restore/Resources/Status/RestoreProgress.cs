using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Resources.Status;

/// <summary>Progress of a running restore: records and bytes done and total, overall and per topic.</summary>
public sealed record RestoreProgress(long RecordsDone, long RecordsTotal, long BytesDone, long BytesTotal, ValueList<TopicProgress> Topics)
{
    /// <summary>Percent of records done, 0-100, for display.</summary>
    public double Percent => RecordsTotal <= 0 ? 0 : Math.Min(100.0, 100.0 * RecordsDone / RecordsTotal);
}
