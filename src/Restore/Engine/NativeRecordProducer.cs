using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Kafka.Native;
using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// The session's idempotent producer through librdkafka's C API (<c>rd_kafka_produceva</c>), on the bundled
/// librdkafka Confluent.Kafka uses, with exactly the settings <see cref="RecordProducer.Settings"/> gives it.
/// Per record: one call with the topic handle, partition, key and value (copied by librdkafka), timestamp,
/// headers and a message opaque; no managed message, pin or delegate. Every record's opaque names its
/// partition state and, for the record that closes an acknowledgement group, the group's size, so the
/// delivery callback (on this producer's poll thread, as Confluent.Kafka's) counts confirmed records and
/// attributes any failure. docs/restore-engine.md, "Producing", says why this is safe.
/// </summary>
internal sealed unsafe class NativeRecordProducer : RecordProducer
{
    /// <summary>Bits of a message opaque that hold the group size (AckGroup is far below 2^20).</summary>
    private const int GroupBits = 20;

    private const int MaxCachedHeaderNames = 1024;

    // Empty (not null) keys, values and header values need a non-null pointer of length 0.
    private static readonly byte[] Empty = GC.AllocateArray<byte>(1, pinned: true);

    private readonly LibrdkafkaApi _api;
    private readonly IntPtr _rk;
    private readonly GCHandle _self;
    private readonly Dictionary<string, IntPtr> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<PartitionState, int> _indexes = [];
    private readonly PartitionState[] _states;
    private readonly ConcurrentDictionary<string, byte[]> _headerNames = new(StringComparer.Ordinal);
    private readonly Action<PartitionState, int, string?> _delivered;
    private readonly Action<bool, string> _error;
    private readonly Action<string, string> _log;
    private readonly Thread _poller;
    private int _cachedHeaderNames;
    private volatile bool _stopping;
    private volatile bool _closed;

    public NativeRecordProducer(LibrdkafkaApi api, ProducerConfig config, IReadOnlyList<PartitionState> states,
        Action<PartitionState, int, string?> delivered, Action<bool, string> error, Action<string, string> log)
    {
        _api = api;
        _delivered = delivered;
        _error = error;
        _log = log;
        _states = [.. states];
        for (var i = 0; i < _states.Length; i++) _indexes[_states[i]] = i;
        _self = GCHandle.Alloc(this);
        var errstr = stackalloc byte[512];
        var conf = api.ConfNew();
        foreach (var (name, value) in config)
        {
            // Confluent.Kafka's own settings (dotnet.*) are not librdkafka's.
            if (name.StartsWith("dotnet.", StringComparison.Ordinal) || value is null) continue;
            fixed (byte* n = CString(name), v = CString(value))
            {
                if (api.ConfSet(conf, n, v, errstr, 512) != LibrdkafkaApi.ConfOk)
                {
                    api.ConfDestroy(conf);
                    _self.Free();
                    // The value is not repeated: it may be a password.
                    throw new KafkaRestoredException(FailureReason.InvalidClientConfig,
                        $"cannot create the producer: librdkafka refused the setting {name}: {Marshal.PtrToStringUTF8((IntPtr)errstr)}; check spec.targetCluster and its secrets.");
                }
            }
        }
        api.ConfSetOpaque(conf, GCHandle.ToIntPtr(_self));
        api.ConfSetDrMsgCb(conf, &OnDelivery);
        api.ConfSetErrorCb(conf, &OnError);
        api.ConfSetLogCb(conf, &OnLog);
        s_api = api;
        _rk = api.New(LibrdkafkaApi.Producer, conf, errstr, 512);
        if (_rk == IntPtr.Zero)
        {
            // rd_kafka_new destroys nothing on failure: the configuration is still ours.
            api.ConfDestroy(conf);
            _self.Free();
            throw new KafkaRestoredException(FailureReason.InvalidClientConfig,
                $"cannot create the producer: {Marshal.PtrToStringUTF8((IntPtr)errstr)}; check spec.targetCluster and its secrets.");
        }
        _poller = new Thread(PollLoop) { IsBackground = true, Name = "kafka-restored producer poll" };
        _poller.Start();
    }

    // The log callback gets only the instance; every producer here uses the same (bundled) library.
    private static LibrdkafkaApi? s_api;

    public override ProduceTarget Bind(PartitionState state) => new(state)
    {
        TopicHandle = TopicHandle(state.Plan.TargetTopic),
        Index = _indexes[state],
    };

    // Created at a partition's first record, not with the producer: a handle made before any broker connection delayed
    // the first delivery by about half a second on every restore (the fixed cost, measured in the benchmark).
    private IntPtr TopicHandle(string topic)
    {
        lock (_topics)
        {
            if (_topics.TryGetValue(topic, out var handle)) return handle;
            fixed (byte* t = CString(topic)) handle = _api.TopicNew(_rk, t, IntPtr.Zero);
            _topics[topic] = handle;
            return handle;
        }
    }

    // Every argument used is written before the call: the 576 bytes of arguments need no zeroing per record.
    [SkipLocalsInit]
    public override bool TryProduce(ProduceTarget target, RecordChunk chunk, int index, RecordHeaders headers, int acknowledges)
    {
        var args = stackalloc LibrdkafkaApi.VarArg[8];
        var count = 7;
        var hdrs = IntPtr.Zero;
        if (headers.Count > 0)
        {
            hdrs = _api.HeadersNew((nuint)headers.Count);
            for (var i = 0; i < headers.Count; i++)
            {
                ref readonly var h = ref headers[i];
                var name = HeaderName(h.Key);
                fixed (byte* n = name, v = h.Length > 0 ? h.Source : Empty)
                {
                    _api.HeaderAdd(hdrs, n, name.Length, h.IsNull ? null : h.Length > 0 ? v + h.At : v, Math.Max(0, h.Length));
                }
            }
            count = 8;
        }
        ref readonly var record = ref chunk[index];
        // Empty keys and values point at the arena too (any non-null pointer); null ones pass no pointer.
        fixed (byte* arena = chunk.Arena)
        {
            args[0] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeRkt, A = target.TopicHandle };
            args[1] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypePartition, Int32 = target.Partition };
            args[2] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeKey, A = record.KeyLength < 0 ? IntPtr.Zero : (IntPtr)(arena + record.KeyAt), B = Math.Max(0, record.KeyLength) };
            args[3] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeValue, A = record.ValueLength < 0 ? IntPtr.Zero : (IntPtr)(arena + record.ValueAt), B = Math.Max(0, record.ValueLength) };
            args[4] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeTimestamp, Int64 = record.Timestamp };
            args[5] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeMsgflags, Int32 = LibrdkafkaApi.MsgFCopy };
            args[6] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeOpaque, Int64 = ((long)(target.Index + 1) << GroupBits) | (uint)acknowledges };
            if (hdrs != IntPtr.Zero) args[7] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeHeaders, A = hdrs };
            var error = _api.Produceva(_rk, args, (nuint)count);
            if (error == IntPtr.Zero) return true; // the headers belong to librdkafka now
            var code = _api.ErrorCode(error);
            var text = Marshal.PtrToStringUTF8(_api.ErrorString(error)) ?? _api.ErrorName(code);
            _api.ErrorDestroy(error);
            if (hdrs != IntPtr.Zero) _api.HeadersDestroy(hdrs);
            if (code == LibrdkafkaApi.ErrQueueFull) return false;
            throw new RecordRefusedException(code is LibrdkafkaApi.ErrMsgSizeTooLarge or LibrdkafkaApi.ErrLocalMsgSizeTooLarge, text);
        }
    }

    public override int Flush(TimeSpan timeout)
    {
        _api.Flush(_rk, (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue));
        return _api.OutqLen(_rk);
    }

    public override void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        _poller.Join();
        // As Confluent.Kafka's Dispose: nothing is flushed here; what is still queued is dropped with the instance,
        // and rd_kafka_destroy returns only once its broker threads have stopped, so nothing of it lands later.
        _closed = true;
        foreach (var topic in _topics.Values) _api.TopicDestroy(topic);
        _api.Destroy(_rk);
        _self.Free();
    }

    private void PollLoop()
    {
        // Poll returns as soon as it has served something; the timeout only bounds how long Dispose waits for an idle
        // poll (at 100 ms every session's end waited up to a tenth of a second).
        while (!_stopping) _api.Poll(_rk, 10);
    }

    private byte[] HeaderName(string key)
    {
        if (_headerNames.TryGetValue(key, out var cached)) return cached;
        var bytes = Encoding.UTF8.GetBytes(key);
        // A hostile backup could carry a new header name on every record: cache the first ones only (counted here:
        // ConcurrentDictionary.Count takes every lock).
        if (Volatile.Read(ref _cachedHeaderNames) < MaxCachedHeaderNames && _headerNames.TryAdd(key, bytes)) Interlocked.Increment(ref _cachedHeaderNames);
        return bytes;
    }

    private static byte[] CString(string s) => Encoding.UTF8.GetBytes(s + "\0");

    private void Delivered(int err, long opaque)
    {
        var index = (int)(opaque >> GroupBits) - 1;
        if (_closed || index < 0 || index >= _states.Length) return;
        var state = _states[index];
        if (err != 0) _delivered(state, 0, $"{(ErrorCode)err}: {_api.ErrorName(err)}");
        else if ((opaque & ((1 << GroupBits) - 1)) is var records and > 0) _delivered(state, (int)records, null);
    }

    private static NativeRecordProducer? Of(IntPtr opaque) =>
        opaque == IntPtr.Zero ? null : GCHandle.FromIntPtr(opaque).Target as NativeRecordProducer;

    // rd_kafka_message_t: err (int) at 0, ..., _private (the message opaque) at 64 on 64-bit hosts.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDelivery(IntPtr rk, IntPtr message, IntPtr opaque)
    {
        try
        {
            Of(opaque)?.Delivered(*(int*)message, *(long*)(message + 64));
        }
        catch (Exception)
        {
            // Never throw into librdkafka; a lost report leaves the records unconfirmed, so they are resumed, never skipped.
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(IntPtr rk, int err, IntPtr reason, IntPtr opaque)
    {
        try
        {
            if (Of(opaque) is not { _closed: false } self) return;
            if (err != LibrdkafkaApi.ErrFatal)
            {
                self._error(false, Marshal.PtrToStringUTF8(reason) ?? self._api.ErrorName(err));
                return;
            }
            var buffer = stackalloc byte[512];
            var code = self._api.FatalError(rk, buffer, 512);
            self._error(true, $"{(ErrorCode)code}: {Marshal.PtrToStringUTF8((IntPtr)buffer)}");
        }
        catch (Exception)
        {
            // Never throw into librdkafka.
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(IntPtr rk, int level, IntPtr facility, IntPtr text)
    {
        try
        {
            if (s_api is { } api && Of(api.Opaque(rk)) is { _closed: false } self)
                self._log(Marshal.PtrToStringUTF8(facility) ?? "", Marshal.PtrToStringUTF8(text) ?? "");
        }
        catch (Exception)
        {
            // Never throw into librdkafka.
        }
    }
}
