namespace KafkaRestored.Restore.Storage;

/// <summary>
/// Blocking file system calls (open, read, stat, list) that a cancellation or deadline can walk away
/// from: a FIFO or a hung network mount keeps a thread in the kernel, but never the run that asked.
/// </summary>
internal static class AbandonableFileCalls
{
    /// <summary>
    /// Runs <paramref name="call"/> on a pool thread and returns its result, or throws
    /// <see cref="OperationCanceledException"/> as soon as <paramref name="ct"/> is cancelled even
    /// while the call is still blocked; a result that comes after that is disposed.
    /// </summary>
    public static Task<T> RunAsync<T>(Func<T> call, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        return WaitAsync(Task.Run(call, CancellationToken.None), ct);
    }

    /// <summary>As <see cref="RunAsync{T}(Func{T}, CancellationToken)"/> for a call without a result.</summary>
    public static Task RunAsync(Action call, CancellationToken ct) => RunAsync<object?>(() =>
    {
        call();
        return null;
    }, ct);

    /// <summary>
    /// Waits for <paramref name="task"/>, a call already running on a pool thread, as
    /// <see cref="RunAsync{T}(Func{T}, CancellationToken)"/> does: cancellation abandons it.
    /// </summary>
    public static async Task<T> WaitAsync<T>(Task<T> task, CancellationToken ct)
    {
        try
        {
            return await task.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Observe(task);
            throw;
        }
    }

    /// <summary>Nobody waits for <paramref name="task"/> any more: its late result is disposed and its failure observed.</summary>
    public static void Observe<T>(Task<T> task) =>
        _ = task.ContinueWith(static t =>
        {
            if (t.IsCompletedSuccessfully && t.Result is IDisposable d) d.Dispose();
            _ = t.Exception;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
