using System.Collections.Concurrent;
using KafkaRestored.Restore.Failures;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// One idempotent producer and the workers feeding it, from resume points to "every enqueued
/// record acknowledged" (or a failure, or cancellation). A monitor reports progress, saves
/// checkpoints and detects stalls. When a session ends the producer is disposed before anything
/// else reads the target, so no record of it can land later.
/// </summary>
internal sealed class ProducerSession : IDisposable
{
    private readonly RestoreContext _context;
    private readonly IReadOnlyList<PartitionState> _states;
    private readonly CancellationTokenSource _failure = new();
    private SessionOutcome? _failed;

    public ProducerSession(RestoreContext context, IReadOnlyList<PartitionState> states)
    {
        _context = context;
        _states = states;
    }

    public async Task<SessionOutcome> RunAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _failure.Token);
        var producer = BuildProducer();
        using var monitorStop = new CancellationTokenSource();
        var monitor = MonitorAsync(monitorStop.Token);
        try
        {
            await RunWorkersAsync(producer, stop.Token);
            if (_failed is null && !ct.IsCancellationRequested) await FlushAsync(producer, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelled or failed; handled below.
        }
        finally
        {
            if (_failed is null && ct.IsCancellationRequested)
            {
                // Give in-flight records a moment to be acknowledged so the checkpoint is fresher; not needed for correctness.
                producer.Flush(TimeSpan.FromSeconds(3));
            }
            producer.Dispose();
            await monitorStop.CancelAsync();
            await monitor;
        }
        _context.Checkpoints.Save(_states);

        if (_failed is not null) return _failed;
        if (ct.IsCancellationRequested) return new SessionOutcome(RestoreOutcome.Cancelled, null, "restore cancelled", false);
        return SessionOutcome.Done;
    }

    public void Dispose() => _failure.Dispose();

    private void Fail(FailureReason reason, string message, bool retryable)
    {
        Interlocked.CompareExchange(ref _failed, new SessionOutcome(RestoreOutcome.Failed, reason, message, retryable), null);
        _ = _failure.CancelAsync();
    }

    private RecordProducer BuildProducer()
    {
        var config = RecordProducer.Settings(_context.Client, _context.Budget);
        var logger = _context.Logger;
        string? lastError = null;
        void OnError(bool fatal, string text)
        {
            if (fatal)
            {
                Fail(FailureReason.ProduceFailed, $"the producer to {_context.Bootstrap} failed: {text}", retryable: true);
            }
            else if (text != lastError)
            {
                // Connection trouble is retried by the client; log it once per change, not per retry.
                lastError = text;
                RestoreLog.ClientError(logger, text);
            }
        }
        void OnLog(string facility, string message) => RestoreLog.Client(logger, facility, message);
        return _context.Tuning.Producer == RestoreProducerKind.Confluent
            ? new ConfluentRecordProducer(config, OnDelivered, OnError, OnLog)
            : new NativeRecordProducer(Kafka.Native.LibrdkafkaApi.Bundled(), config, _states, OnDelivered, OnError, OnLog);
    }

    /// <summary>A delivery report: <paramref name="records"/> more confirmed, or a failure.</summary>
    private void OnDelivered(PartitionState state, int records, string? error)
    {
        if (error is null)
        {
            // Only counted: after retries librdkafka may report a partition's batches out of order, so
            // offsets are checked once at the end, from the target's end offsets (verification).
            state.Acknowledge(records);
            return;
        }
        var text = $"delivery to {state.Plan.TargetTopic}[{state.Plan.Partition}] failed: {error}";
        state.Fail(text);
        // A new producer resumes exactly from the target's end offsets, whatever failed.
        Fail(FailureReason.ProduceFailed, text, true);
    }

    private async Task RunWorkersAsync(RecordProducer producer, CancellationToken ct)
    {
        // Biggest partitions first, so the last worker to finish is not the one with the most work.
        var queue = new ConcurrentQueue<PartitionState>(_states
            .Where(s => !s.AlreadyComplete)
            .OrderByDescending(s => s.Plan.ByteCount));
        var workerCount = Math.Max(1, Math.Min(_context.Budget.Workers, queue.Count));
        var worker = new PartitionWorker(_context.Storage, producer, _context.Plan.PitrCutoffMillis,
            _context.IncludeOriginalOffsetHeader, _context.SourceCluster,
            _context.Budget.ReadAheadBytesPerWorker,
            _context.Budget.MaxRecordBytes,
            (state, offset) => RestoreLog.EpochStamped(_context.Logger, state.Plan.SourceTopic, state.Plan.Partition, offset, state.Plan.TargetTopic));
        var tasks = Enumerable.Range(0, workerCount).Select(_ => Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested && queue.TryDequeue(out var state))
            {
                await worker.RunAsync(state, ct);
            }
        }, CancellationToken.None)).ToList();
        try
        {
            await Task.WhenAll(tasks);
        }
        catch (Exception) when (tasks.All(t => t.IsCompleted))
        {
            // Every worker has stopped (the others see the failure through the token); the causes are below.
        }
        foreach (var task in tasks.Where(t => t.IsFaulted))
        {
            foreach (var e in task.Exception!.InnerExceptions)
            {
                if (e is OperationCanceledException) continue;
                if (RestoreFailures.Classify(e) is not { } failure) throw e;
                Fail(failure.Reason, failure.Message, failure.Reason == FailureReason.ProduceFailed);
            }
        }
        ct.ThrowIfCancellationRequested();
    }

    private static async Task FlushAsync(RecordProducer producer, CancellationToken ct)
    {
        while (producer.Flush(TimeSpan.FromMilliseconds(100)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
        }
        // Delivery callbacks of the last records run before Flush returns; a failure among them is recorded.
        ct.ThrowIfCancellationRequested();
    }

    private async Task MonitorAsync(CancellationToken ct)
    {
        var time = _context.Time;
        var tuning = _context.Tuning;
        using var timer = new PeriodicTimer(tuning.ProgressInterval, time);
        var lastCheckpoint = time.GetTimestamp();
        var lastConfirmed = -1L;
        var lastChange = time.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                _context.ReportProgress(_states, RestoreStage.Restoring);

                var confirmed = 0L;
                var produced = 0L;
                foreach (var s in _states)
                {
                    confirmed += s.Confirmed;
                    produced += s.Produced;
                }
                if (confirmed != lastConfirmed || produced == confirmed)
                {
                    lastConfirmed = confirmed;
                    lastChange = time.GetTimestamp();
                }
                else if (time.GetElapsedTime(lastChange) >= tuning.StallTimeout)
                {
                    Fail(FailureReason.ClusterUnreachable,
                        $"the target cluster at {_context.Bootstrap} acknowledged no record for {tuning.StallTimeout.TotalSeconds:0}s while {produced - confirmed} records waited; check that the brokers are up and reachable. What was written is checkpointed: the next attempt resumes from there.",
                        retryable: false);
                }

                if (time.GetElapsedTime(lastCheckpoint) >= tuning.CheckpointInterval)
                {
                    _context.Checkpoints.Save(_states);
                    lastCheckpoint = time.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Session over.
        }
    }
}
