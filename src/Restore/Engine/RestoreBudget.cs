using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// <c>spec.resources</c> mapped onto the restore's own budget (there is no container outside
/// Kubernetes): cpu bounds the parallel partition workers, memory bounds the bytes buffered
/// between storage and the broker. docs/restore-engine.md documents the mapping.
/// </summary>
public sealed record RestoreBudget(int Workers, long MemoryBytes)
{
    /// <summary>Workers when neither limits.cpu nor requests.cpu is given: min(4, processor count).</summary>
    public static int DefaultWorkers => Math.Max(1, Math.Min(4, Environment.ProcessorCount));

    /// <summary>Memory budget when neither limits.memory nor requests.memory is given: 256 MiB.</summary>
    public const long DefaultMemoryBytes = 256L * 1024 * 1024;

    /// <summary>Smallest useful memory budget; smaller values are raised to it.</summary>
    public const long MinimumMemoryBytes = 8L * 1024 * 1024;

    /// <summary>Bytes of decoded records a worker may hold ahead of the producer.</summary>
    public long ReadAheadBytesPerWorker => Math.Max(256 * 1024, MemoryBytes / 2 / Workers);

    /// <summary>
    /// Largest record the restore decodes: the half of a worker's read-ahead that holds a segment
    /// (memory / 4 / workers), at least 1 MiB (Kafka's default message size limit), at most the
    /// format's 256 MiB. A longer record fails (RecordTooLarge) before it is decompressed.
    /// </summary>
    public int MaxRecordBytes => (int)Math.Clamp(ReadAheadBytesPerWorker / 2, 1L << 20, Backups.Kbak.SegmentFormat.MaxRecordSize);

    /// <summary>librdkafka's queue.buffering.max.kbytes: the other half of the budget.</summary>
    public int ProducerQueueKbytes => (int)Math.Clamp(MemoryBytes / 2 / 1024, 1024, int.MaxValue);

    /// <summary>librdkafka's queue.buffering.max.messages, sized so small records can fill the byte budget.</summary>
    public int ProducerQueueMessages => (int)Math.Clamp(MemoryBytes / 2 / 128, 10_000, 2_000_000);

    /// <summary>
    /// limits (else requests) of <paramref name="resources"/>: cpu in millicores → workers
    /// (<c>2</c> → 2, <c>500m</c> → 1, never below 1), memory in bytes → the budget.
    /// </summary>
    public static RestoreBudget From(ResourcesSpec? resources)
    {
        var cpuMillis = resources?.Limits?.CpuMillis ?? resources?.Requests?.CpuMillis;
        var memory = resources?.Limits?.MemoryBytes ?? resources?.Requests?.MemoryBytes;
        var workers = cpuMillis is { } m ? (int)Math.Clamp(m / 1000, 1, 256) : DefaultWorkers;
        return new RestoreBudget(workers, Math.Max(MinimumMemoryBytes, memory ?? DefaultMemoryBytes));
    }
}
