using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// One target partition during one producer session. The worker that produces it, librdkafka's
/// delivery-report thread and the checkpointer share it: counters are Interlocked, the list of
/// resume points is locked (touched once per segment, never per record).
/// </summary>
internal sealed class PartitionState
{
    private readonly Lock _gate = new();
    private readonly Queue<ResumePoint> _points = new();
    private ResumePoint _confirmedPoint;
    private long _confirmed;
    private long _produced;
    private long _bytes;
    private long _epochStamped;
    private string? _failure;

    public PartitionState(PartitionPlan plan, string fingerprint, long targetStart, long alreadyPresent, ResumePoint start)
    {
        Plan = plan;
        Fingerprint = fingerprint;
        TargetStart = targetStart;
        AlreadyPresent = alreadyPresent;
        Start = start;
        _confirmedPoint = start;
    }

    public PartitionPlan Plan { get; }

    public string Fingerprint { get; }

    /// <summary>End offset of the target partition before this restore's first write.</summary>
    public long TargetStart { get; }

    /// <summary>Selected records found in the target when this session started: they are skipped.</summary>
    public long AlreadyPresent { get; }

    /// <summary>
    /// The target's last record when this session started (offset end − 1), when records were
    /// already present: it must be the selected record number <see cref="AlreadyPresent"/> − 1,
    /// or something else wrote to the partition between attempts.
    /// </summary>
    public TargetRecord? Tail { get; init; }

    /// <summary>Where this session starts reading (segment, selected records before it, map prefix).</summary>
    public ResumePoint Start { get; }

    /// <summary>Total selected records, set when the worker has read the partition to its end.</summary>
    public long? Selected { get; set; }

    /// <summary>The partition needs no work (verified complete in an earlier attempt).</summary>
    public bool AlreadyComplete { get; init; }

    /// <summary>The full offset map, set by the worker when it has read the partition to its end.</summary>
    public PartitionOffsetMap? FinalMap { get; set; }

    /// <summary>Records acknowledged in this session.</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);

    /// <summary>Records enqueued in this session.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Bytes of selected records enqueued or found present in this session.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Selected records known to be in the target.</summary>
    public long Done => AlreadyComplete ? Selected ?? 0 : AlreadyPresent + Confirmed;

    /// <summary>First delivery failure of this partition, if any.</summary>
    public string? Failure => Volatile.Read(ref _failure);

    /// <summary>Counts <paramref name="records"/> acknowledged records (one delivery report covers a group).</summary>
    public void Acknowledge(int records) => Interlocked.Add(ref _confirmed, records);

    public void CountProduced(long bytes)
    {
        Interlocked.Increment(ref _produced);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Selected records read in this session whose timestamp is 0: librdkafka sends them with the current time.</summary>
    public long EpochStamped => Interlocked.Read(ref _epochStamped);

    /// <summary>Counts a selected record stamped 0; true for the first of this session.</summary>
    public bool CountEpochStamped() => Interlocked.Increment(ref _epochStamped) == 1;

    /// <summary>A selected record found already in the target: only its bytes count for progress.</summary>
    public void CountSkipped(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public void Fail(string message) => Interlocked.CompareExchange(ref _failure, message, null);

    /// <summary>The worker reached the start of a segment (or the end of the partition).</summary>
    public void AddResumePoint(ResumePoint point)
    {
        lock (_gate) _points.Enqueue(point);
    }

    /// <summary>The latest resume point whose records are all confirmed in the target.</summary>
    public ResumePoint ConfirmedResumePoint()
    {
        var done = AlreadyPresent + Confirmed;
        lock (_gate)
        {
            while (_points.Count > 0 && _points.Peek().SelectedBefore <= done) _confirmedPoint = _points.Dequeue();
            return _confirmedPoint;
        }
    }
}
