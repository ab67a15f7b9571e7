using System.Threading.Channels;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// Restores one partition: a reader task decodes its segments into chunks on a bounded channel
/// (the read-ahead), and the producing loop selects records (PITR, resume skip), extends the
/// offset map and enqueues them in offset order on the shared idempotent producer. One instance
/// serves every worker of a session: all per-partition state lives in locals and <see cref="PartitionState"/>.
/// </summary>
internal sealed class PartitionWorker(
    IBackupStorage storage,
    RecordProducer producer,
    long? cutoffMillis,
    bool includeOriginalOffsetHeader,
    string? sourceCluster,
    long readAheadBytes,
    int maxRecordBytes,
    Action<PartitionState, long> onEpochStamped)
{
    /// <summary>Every partition run of the session takes its chunks from here and gives them back once produced.</summary>
    private readonly RecordChunkPool _chunks = new();

    /// <summary>
    /// Records acknowledged by one delivery report at most. Only the last record of a group asks for
    /// a report: the producer is idempotent with the gapless guarantee, so a partition's records land
    /// in order and one that fails without a report stops the producer with a fatal error (the error
    /// handler fails the session). The records between cost no callback.
    /// </summary>
    private const int AckGroup = 256;

    public async Task RunAsync(PartitionState state, CancellationToken ct)
    {
        // Half the read-ahead budget queues chunks for the producer, the other half holds a segment until it is verified.
        var holdBytes = readAheadBytes / 2;
        var capacity = (int)Math.Clamp(holdBytes / RecordChunk.MaxBytes, 2, 4096);
        var channel = Channel.CreateBounded<RecordChunk>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // The channel counts chunks; the gate counts their bytes, since one chunk may be one record of up to the record limit.
        var gate = new ReadAheadGate(holdBytes);
        using var readerCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reader = Task.Run(() => ReadAsync(state, channel.Writer, gate, holdBytes, readerCts.Token), CancellationToken.None);
        try
        {
            await ProduceAsync(state, channel.Reader, gate, ct);
        }
        finally
        {
            await readerCts.CancelAsync();
            while (channel.Reader.TryRead(out var left)) _chunks.Return(left);
            try
            {
                await reader;
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose; the producing side reports why.
            }
        }
    }

    /// <summary>
    /// Feeds the channel segment by segment. A segment's CRC and record count are checked only after
    /// its last record, so no record of a segment is handed to the producer before the whole segment
    /// read cleanly: a corrupt segment writes nothing. A segment that fits in <paramref name="holdBytes"/>
    /// is held decoded until then; a bigger one is read twice (checked in full, then streamed).
    /// </summary>
    private async Task ReadAsync(PartitionState state, ChannelWriter<RecordChunk> writer, ReadAheadGate gate, long holdBytes, CancellationToken ct)
    {
        try
        {
            var segments = state.Plan.Segments;
            for (var i = 0; i < segments.Count; i++)
            {
                if (segments[i].StartOffset < state.Start.SegmentStartOffset) continue;
                var held = await HoldSegmentAsync(segments[i].Key, i, holdBytes, ct);
                if (held is null)
                {
                    // Checking pass: decode every record in place, keep none.
                    await SegmentReader.VerifyAsync(storage, segments[i].Key, maxRecordBytes, ct);
                    await StreamSegmentAsync(segments[i].Key, i, writer, gate, ct);
                    continue;
                }
                foreach (var chunk in held)
                {
                    await gate.EnterAsync(chunk.Bytes, ct);
                    await writer.WriteAsync(chunk, ct);
                }
            }
            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
    }

    /// <summary>The segment's chunks once it has been read and checked in full, or null when it is bigger than <paramref name="holdBytes"/>.</summary>
    private async Task<List<RecordChunk>?> HoldSegmentAsync(string key, int index, long holdBytes, CancellationToken ct)
    {
        var held = new List<RecordChunk>();
        var bytes = 0L;
        try
        {
            // Every segment yields at least one chunk, so the producing side sees each segment start.
            await foreach (var chunk in SegmentReader.ReadChunksAsync(storage, key, maxRecordBytes, _chunks, index, ct))
            {
                held.Add(chunk);
                bytes += chunk.Bytes;
                if (bytes > holdBytes) break;
            }
        }
        catch
        {
            Release(held);
            throw;
        }
        if (bytes <= holdBytes) return held;
        Release(held);
        return null;
    }

    private void Release(List<RecordChunk> held)
    {
        foreach (var c in held) _chunks.Return(c);
    }

    private async Task StreamSegmentAsync(string key, int index, ChannelWriter<RecordChunk> writer, ReadAheadGate gate, CancellationToken ct)
    {
        await foreach (var chunk in SegmentReader.ReadChunksAsync(storage, key, maxRecordBytes, _chunks, index, ct))
        {
            try
            {
                await gate.EnterAsync(chunk.Bytes, ct);
                await writer.WriteAsync(chunk, ct);
            }
            catch
            {
                _chunks.Return(chunk);
                throw;
            }
        }
    }

    private async Task ProduceAsync(PartitionState state, ChannelReader<RecordChunk> reader, ReadAheadGate gate, CancellationToken ct)
    {
        var plan = state.Plan;
        var map = new PartitionOffsetMap(plan.SourceTopic, plan.TargetTopic, plan.Partition, state.Start.MapPrefix);
        var selected = state.Start.SelectedBefore;
        var skip = state.AlreadyPresent;
        var targetStart = state.TargetStart;
        var currentSegment = -1;
        var lastOffset = long.MinValue;
        var target = producer.Bind(state);
        var cutoff = cutoffMillis ?? long.MaxValue;
        // One builder per partition run: its header buffers are reused record after record.
        var headers = new RecordHeaderBuilder(includeOriginalOffsetHeader, sourceCluster);
        var pending = 0;

        while (await reader.WaitToReadAsync(ct))
        {
            while (reader.TryRead(out var chunk))
            {
                try
                {
                    if (chunk.SegmentIndex != currentSegment)
                    {
                        currentSegment = chunk.SegmentIndex;
                        state.AddResumePoint(new ResumePoint(plan.Segments[currentSegment].StartOffset, selected, [.. map.Runs]));
                    }
                    var lastInChunk = LastSelected(chunk, cutoff);
                    for (var i = 0; i < chunk.Count; i++)
                    {
                        var record = chunk[i];
                        if (record.Offset <= lastOffset)
                        {
                            throw new KafkaRestoredException(FailureReason.CorruptSegment,
                                $"backup partition {plan.SourceTopic}[{plan.Partition}] is not in offset order: offset {record.Offset} follows {lastOffset} in {storage.Describe(plan.Segments[currentSegment].Key)}; the manifest lists overlapping segments.");
                        }
                        lastOffset = record.Offset;
                        if (record.Timestamp > cutoff) continue;
                        if (record.Timestamp == 0 && state.CountEpochStamped()) onEpochStamped(state, record.Offset);
                        var index = selected++;
                        map.Add(record.Offset, targetStart + index);
                        var size = record.Size;
                        if (index < skip)
                        {
                            if (index == skip - 1) CheckTail(state, chunk, i);
                            state.CountSkipped(size);
                            continue;
                        }
                        // Every chunk's last produced record closes a group (skipping is a prefix, so it is the last selected one).
                        pending++;
                        var acknowledges = pending == AckGroup || i == lastInChunk ? pending : 0;
                        await EnqueueAsync(target, chunk, i, headers.Build(chunk, i, plan.Partition), acknowledges, ct);
                        if (acknowledges > 0) pending = 0;
                        state.CountProduced(size);
                    }
                }
                finally
                {
                    gate.Leave(chunk.Bytes);
                    _chunks.Return(chunk);
                }
            }
        }

        state.AddResumePoint(new ResumePoint(long.MaxValue, selected, [.. map.Runs]));
        state.Selected = selected;
        state.FinalMap = map;
        if (skip > selected)
        {
            throw new KafkaRestoredException(FailureReason.TargetNotEmpty,
                $"target partition {plan.TargetTopic}[{plan.Partition}] holds {Plural.Of(skip, "record")} since offset {targetStart} where this restore started, but the backup selects only {selected}: something else wrote to it; empty the topic (or restore into another one with spec.topicMapping) and run the restore again.");
        }
    }

    /// <summary>Index of the chunk's last record within the PITR cutoff, or -1.</summary>
    private static int LastSelected(RecordChunk chunk, long cutoff)
    {
        for (var i = chunk.Count - 1; i >= 0; i--)
        {
            if (chunk[i].Timestamp <= cutoff) return i;
        }
        return -1;
    }

    /// <summary>The target's last record must be the last selected record this restore wrote there.</summary>
    private static void CheckTail(PartitionState state, RecordChunk chunk, int index)
    {
        if (state.Tail is not { } tail) return;
        ref readonly var record = ref chunk[index];
        var key = chunk.Key(record, out var keyIsNull);
        var value = chunk.Value(record, out var valueIsNull);
        if (tail.Timestamp == record.Timestamp && Same(tail.Key, key, keyIsNull) && Same(tail.Value, value, valueIsNull)) return;
        var plan = state.Plan;
        throw new KafkaRestoredException(FailureReason.TargetModified,
            $"target partition {plan.TargetTopic}[{plan.Partition}] ends with a record at offset {tail.Offset} that this restore did not write (expected the backup's record at source offset {record.Offset}): something else wrote to it since the last attempt; stop the other producer, empty the topic and restore again.");
    }

    private static bool Same(byte[]? target, ReadOnlySpan<byte> stored, bool storedIsNull) =>
        target is null ? storedIsNull : !storedIsNull && stored.SequenceEqual(target);

    private async ValueTask EnqueueAsync(ProduceTarget target, RecordChunk chunk, int index, RecordHeaders headers, int acknowledges, CancellationToken ct)
    {
        try
        {
            // The producer's buffer (half the memory budget) is full: wait for deliveries.
            while (!producer.TryProduce(target, chunk, index, headers, acknowledges))
            {
                ct.ThrowIfCancellationRequested();
                await Task.Delay(1, ct);
            }
        }
        catch (RecordRefusedException e)
        {
            var state = target.State;
            var reason = e.TooLarge ? FailureReason.RecordTooLarge : FailureReason.ProduceFailed;
            var hint = e.TooLarge
                ? "raise the target topic's max.message.bytes (and the brokers' message.max.bytes) to at least the source's"
                : "check the target cluster";
            var text = $"cannot write record at source offset {chunk[index].Offset} of {state.Plan.SourceTopic}[{state.Plan.Partition}] to {target.Topic}[{target.Partition}]: {e.Message}; {hint}.";
            throw new KafkaRestoredException(reason, text, e);
        }
    }
}
