namespace KafkaRestored.Restore.Engine;

/// <summary>
/// Bounds the bytes of decoded records queued between a partition's reader and its producing loop:
/// the channel counts chunks, and one chunk may hold a single record of up to the record limit, so
/// the bytes themselves are counted here. A chunk is always let in when nothing is queued.
/// </summary>
internal sealed class ReadAheadGate(long capacity)
{
    private readonly Lock _lock = new();
    private long _queued;
    private TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Waits until <paramref name="bytes"/> fit (or the queue is empty), then counts them.</summary>
    public async ValueTask EnterAsync(long bytes, CancellationToken ct)
    {
        while (true)
        {
            Task freed;
            lock (_lock)
            {
                if (_queued == 0 || _queued + bytes <= capacity)
                {
                    _queued += bytes;
                    return;
                }
                freed = _freed.Task;
            }
            await freed.WaitAsync(ct);
        }
    }

    /// <summary>The producing loop is done with <paramref name="bytes"/>.</summary>
    public void Leave(long bytes)
    {
        TaskCompletionSource freed;
        lock (_lock)
        {
            _queued -= bytes;
            freed = _freed;
            _freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        freed.TrySetResult();
    }
}
