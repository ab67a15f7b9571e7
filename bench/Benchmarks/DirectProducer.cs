using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Kafka.Native;

namespace KafkaRestored.Benchmarks;

/// <summary>
/// Contender a2: the records of a produced through librdkafka's C API from .NET, without
/// Confluent.Kafka's managed wrapper: the same librdkafka file Confluent.Kafka loads, the same
/// producer settings as <see cref="RawProducer"/>, one topic handle, <c>rd_kafka_produceva</c> per
/// record from reused buffers (copied by librdkafka), a delivery report per record counted on the
/// producing thread by <c>rd_kafka_poll</c>. What a .NET program can reach through librdkafka itself.
/// </summary>
internal static unsafe class DirectProducer
{
    private static string? s_statsFile;

    /// <summary>The librdkafka file the process loaded (Confluent.Kafka's, see <see cref="BundledLibrdkafka"/>).</summary>
    public static string LibraryPath => BundledLibrdkafka.Load().Path;

    /// <summary>
    /// Produces the dataset into <paramref name="topic"/>; throws unless every record was delivered.
    /// <paramref name="threadCpu"/> receives the CPU seconds each thread of this process used from
    /// before the producer existed until its flush returned, by thread name; <paramref name="perfData"/>
    /// gets perf's samples of the same stretch (when perf is installed).
    /// </summary>
    public static long? Run(string bootstrap, string topic, Dataset dataset, DirectVariant? variant = null, Dictionary<string, double>? threadCpu = null,
        string? perfData = null)
    {
        variant ??= DirectVariant.Default;
        var api = LibrdkafkaApi.For(variant.Library ?? LibraryPath);
        var before = new Dictionary<int, (string Name, double Seconds)>();
        if (threadCpu is not null) Profiling.SampleThreads(Environment.ProcessId, before);
        // delivered, failed: written by the delivery callback, which runs inside rd_kafka_poll/flush on this thread.
        var counts = (long*)NativeMemory.AllocZeroed(2, sizeof(long));
        var names = Dataset.HeaderNames.Select(n => Utf8(n)).ToArray();
        var errstr = new byte[512];
        var rk = IntPtr.Zero;
        var rkt = IntPtr.Zero;
        var perf = perfData is null ? null : Profiling.StartPerf(Environment.ProcessId, perfData);
        try
        {
            var conf = api.ConfNew();
            foreach (var (setting, setTo) in Settings(bootstrap))
            {
                fixed (byte* n = Utf8(setting), v = Utf8(setTo), e = errstr)
                {
                    if (api.ConfSet(conf, n, v, e, (nuint)errstr.Length) != LibrdkafkaApi.ConfOk)
                    {
                        api.ConfDestroy(conf);
                        throw new InvalidOperationException($"a2: {setting}={setTo}: {CString(errstr)}");
                    }
                }
            }
            api.ConfSetDrMsgCb(conf, &OnDelivery);
            // Keeps librdkafka's "gapless guarantee is experimental" notice out of the table, as a's log handler does.
            api.ConfSetLogCb(conf, &OnLog);
            api.ConfSetOpaque(conf, (IntPtr)counts);
            // KR_BENCH_A2_STATS=FOLDER (with statistics.interval.ms in KR_BENCH_A2_CONFIG): librdkafka's statistics, a file per run, one JSON document a line.
            s_statsFile = Environment.GetEnvironmentVariable("KR_BENCH_A2_STATS") is { } statsDir
                ? Path.Combine(statsDir, $"a2-{api.Version}{(variant.Headers ? "" : "-noheaders")}{(variant.Pregenerated ? "-ring" : "")}-{topic}.jsonl")
                : null;
            if (s_statsFile is not null) api.ConfSetStatsCb(conf, &OnStats);
            fixed (byte* e = errstr) rk = api.New(LibrdkafkaApi.Producer, conf, e, (nuint)errstr.Length);
            if (rk == IntPtr.Zero)
            {
                api.ConfDestroy(conf);
                throw new InvalidOperationException("a2: rd_kafka_new: " + CString(errstr));
            }
            fixed (byte* t = Utf8(topic)) rkt = api.TopicNew(rk, t, IntPtr.Zero);
            if (rkt == IntPtr.Zero) throw new InvalidOperationException("a2: rd_kafka_topic_new failed");

            var ringSize = variant.Pregenerated ? DirectVariant.RingRecords : 1;
            var key = GC.AllocateArray<byte>(20 * ringSize, pinned: true);
            var value = GC.AllocateArray<byte>(200 * ringSize, pinned: true);
            var headerValue = GC.AllocateArray<byte>(Dataset.HeaderValueBytes, pinned: true);
            if (variant.Pregenerated)
            {
                var k1 = new byte[20];
                var v1 = new byte[200];
                for (var r = 0; r < ringSize; r++)
                {
                    Dataset.Fill(r, k1, v1);
                    k1.CopyTo(key, r * 20);
                    v1.CopyTo(value, r * 200);
                }
            }
            var args = stackalloc LibrdkafkaApi.VarArg[9];
            fixed (byte* k = key, v = value, hv = headerValue, n0 = names[0], n1 = names[1], n2 = names[2])
            {
                // The argument list is built once; per record only the partition, timestamp and the header values change.
                args[0] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeRkt, A = (IntPtr)rkt };
                args[1] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypePartition };
                args[2] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeKey, A = (IntPtr)k, B = 20 };
                args[3] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeValue, A = (IntPtr)v, B = 200 };
                args[4] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeTimestamp };
                args[5] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeMsgflags };
                args[5].Int32 = LibrdkafkaApi.MsgFCopy;
                args[6] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeHeader, A = (IntPtr)n0, B = (IntPtr)hv, C = headerValue.Length };
                args[7] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeHeader, A = (IntPtr)n1, B = (IntPtr)hv, C = headerValue.Length };
                args[8] = new LibrdkafkaApi.VarArg { Type = LibrdkafkaApi.VtypeHeader, A = (IntPtr)n2, B = (IntPtr)hv, C = headerValue.Length };
                for (long i = 0; i < dataset.Records; i++)
                {
                    if (variant.Pregenerated)
                    {
                        var slot = (int)(i % ringSize);
                        args[2].A = (IntPtr)(k + (slot * 20));
                        args[3].A = (IntPtr)(v + (slot * 200));
                    }
                    else
                    {
                        Dataset.Fill(i, key, value);
                    }
                    args[1].Int32 = (int)(i % dataset.Partitions);
                    args[4].Int64 = Dataset.TimestampFor(i);
                    var count = 6;
                    if (variant.Headers && Dataset.HasHeaders(i))
                    {
                        Dataset.HeaderValue(i, headerValue);
                        count = 9;
                    }
                    while (true)
                    {
                        var error = api.Produceva(rk, args, (nuint)count);
                        if (error == IntPtr.Zero) break;
                        var code = api.ErrorCode(error);
                        var text = Marshal.PtrToStringUTF8(api.ErrorString(error));
                        api.ErrorDestroy(error);
                        if (code != LibrdkafkaApi.ErrQueueFull) throw new InvalidOperationException($"a2: rd_kafka_produceva: {code}: {text}");
                        api.Poll(rk, 10);
                    }
                    // Serves delivery reports as kcat does, between produces.
                    api.Poll(rk, 0);
                }
            }
            var deadline = Environment.TickCount64 + (long)TimeSpan.FromMinutes(5).TotalMilliseconds;
            while (api.Flush(rk, 100) != 0)
            {
                if (Environment.TickCount64 > deadline) throw new InvalidOperationException("a2: flush did not finish within 5 minutes");
            }
            // Sampled before destroy: librdkafka's threads end with the handle.
            if (threadCpu is not null) AddThreadCpu(before, threadCpu);
            if (perf is not null) Profiling.StopPerf(perf);
            if (counts[1] > 0 || counts[0] != dataset.Records)
                throw new InvalidOperationException($"a2: {counts[0]} records delivered, {counts[1]} failed, of {dataset.Records}");
        }
        finally
        {
            perf?.Dispose();
            if (rkt != IntPtr.Zero) api.TopicDestroy(rkt);
            if (rk != IntPtr.Zero) api.Destroy(rk);
            NativeMemory.Free(counts);
        }
        return null;
    }

    /// <summary>CPU seconds this process spends generating the records alone (keys, values, header values), which every in-process contender pays.</summary>
    public static double GenerationCpuSeconds(Dataset dataset)
    {
        var key = new byte[20];
        var value = new byte[200];
        Span<byte> headerValue = stackalloc byte[Dataset.HeaderValueBytes];
        var start = Profiling.ProcessCpuSeconds(Environment.ProcessId, children: false);
        long sink = 0;
        for (long i = 0; i < dataset.Records; i++)
        {
            Dataset.Fill(i, key, value);
            sink += Dataset.TimestampFor(i) + (i % dataset.Partitions);
            if (Dataset.HasHeaders(i)) Dataset.HeaderValue(i, headerValue);
            sink += value[i % 200] + headerValue[0];
        }
        GC.KeepAlive(sink);
        return Profiling.ProcessCpuSeconds(Environment.ProcessId, children: false) - start;
    }

    // KR_BENCH_A2_CONFIG ("name=value;name=value"): settings added after these, to try librdkafka options on a2 alone.
    private static IEnumerable<(string Name, string Value)> Settings(string bootstrap) =>
    [
        // The engine's settings, as the native producer gives them to librdkafka (Confluent.Kafka's dotnet.* keys left out).
        .. RawProducer.EngineSettings(bootstrap).Where(kv => !kv.Key.StartsWith("dotnet.", StringComparison.Ordinal)).Select(kv => (kv.Key, kv.Value)),
        .. (Environment.GetEnvironmentVariable("KR_BENCH_A2_CONFIG") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => (kv[..kv.IndexOf('=', StringComparison.Ordinal)], kv[(kv.IndexOf('=', StringComparison.Ordinal) + 1)..])),
    ];

    private static void AddThreadCpu(Dictionary<int, (string Name, double Seconds)> before, Dictionary<string, double> threadCpu)
    {
        var after = new Dictionary<int, (string Name, double Seconds)>();
        Profiling.SampleThreads(Environment.ProcessId, after);
        foreach (var (tid, (name, seconds)) in after)
        {
            var used = seconds - (before.TryGetValue(tid, out var b) ? b.Seconds : 0);
            if (used > 0) threadCpu[name] = threadCpu.GetValueOrDefault(name) + used;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDelivery(IntPtr rk, IntPtr message, IntPtr opaque)
    {
        // rd_kafka_message_t starts with its rd_kafka_resp_err_t.
        var counts = (long*)opaque;
        if (*(int*)message == 0) counts[0]++;
        else counts[1]++;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnStats(IntPtr rk, byte* json, nuint length, IntPtr opaque)
    {
        if (s_statsFile is { } file) File.AppendAllText(file, Encoding.UTF8.GetString(json, (int)length) + "\n");
        return 0;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnLog(IntPtr rk, int level, IntPtr facility, IntPtr text)
    {
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s + "\0");

    private static string CString(byte[] buffer) => Encoding.UTF8.GetString(buffer, 0, Math.Max(0, Array.IndexOf(buffer, (byte)0)));

    /// <summary>The version <paramref name="library"/> reports.</summary>
    public static string VersionOf(string library) => LibrdkafkaApi.For(library).Version;
}
