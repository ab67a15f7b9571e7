using System.Runtime.InteropServices;
using System.Text;

namespace KafkaRestored.EmbeddedKafka;

/// <summary>
/// librdkafka's built-in mock cluster, hosted in this process: a real Kafka-protocol broker on
/// loopback ports, used by the demo and (through the mock-broker test tool) by the tests.
/// </summary>
/// <remarks>
/// The functions are bound from the librdkafka file the caller names: the one the process loaded
/// for Confluent.Kafka (BundledLibrdkafka), so no second, different copy is loaded by name.
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private readonly Native _native;
    private readonly IntPtr _client;
    private readonly IntPtr _cluster;
    private bool _disposed;

    private EmbeddedKafkaCluster(Native native, IntPtr client, IntPtr cluster, string bootstrapServers, int brokerCount)
    {
        _native = native;
        _client = client;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <summary>Comma-separated host:port list of the brokers.</summary>
    public string BootstrapServers { get; }

    /// <summary>Number of brokers; broker ids run from 1 to this number.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a cluster of <paramref name="brokerCount"/> brokers on loopback ports, with the librdkafka at <paramref name="librdkafkaPath"/>.</summary>
    public static EmbeddedKafkaCluster Start(string librdkafkaPath, int brokerCount = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        var native = Native.Bind(librdkafkaPath);
        var conf = native.ConfNew();
        var errstr = new byte[512];
        // The owning client has no bootstrap servers on purpose: keep its notice about that (CONFWARN) out of the output.
        if (native.ConfSet(conf, "log_level", "4", errstr, (UIntPtr)errstr.Length) != 0)
            throw new InvalidOperationException("librdkafka refused log_level for the mock cluster's client: " + CString(errstr));
        var client = native.New(0 /* RD_KAFKA_PRODUCER */, conf, errstr, (UIntPtr)errstr.Length);
        if (client == IntPtr.Zero)
            throw new InvalidOperationException("librdkafka could not create the client that owns the mock cluster: " + CString(errstr));
        var cluster = native.MockClusterNew(client, brokerCount);
        if (cluster == IntPtr.Zero)
        {
            native.Destroy(client);
            throw new InvalidOperationException("librdkafka could not create the mock cluster.");
        }
        var bootstraps = Marshal.PtrToStringUTF8(native.MockClusterBootstraps(cluster)) ?? "";
        return new EmbeddedKafkaCluster(native, client, cluster, bootstraps, brokerCount);
    }

    /// <summary>Creates a topic (the mock cannot create topics through the Admin API).</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        var err = _native.MockTopicCreate(_cluster, topic, partitions, Math.Min(replicationFactor, BrokerCount));
        if (err != 0)
            throw new InvalidOperationException($"mock cluster refused to create topic '{topic}': error {err}");
    }

    /// <summary>Takes a broker down: its connections close and it stops accepting new ones.</summary>
    public void SetBrokerDown(int brokerId) => Check(_native.BrokerSetDown(_cluster, brokerId), "broker down");

    /// <summary>Brings a broker that was taken down back up.</summary>
    public void SetBrokerUp(int brokerId) => Check(_native.BrokerSetUp(_cluster, brokerId), "broker up");

    /// <summary>Adds a round-trip delay to every response of a broker.</summary>
    public void SetBrokerRtt(int brokerId, int rttMs) => Check(_native.BrokerSetRtt(_cluster, brokerId, rttMs), "broker rtt");

    /// <summary>Makes a broker advertise another address (a TLS proxy in front of it, for instance).</summary>
    public void SetBrokerHostPort(int brokerId, string host, int port) =>
        Check(_native.BrokerSetHostPort(_cluster, brokerId, host, port), "broker host/port");

    /// <summary>Queues errors returned, one per request, to the next requests of an API key on any broker.</summary>
    public void PushRequestErrors(short apiKey, params int[] errorCodes)
    {
        if (errorCodes.Length == 0) return;
        _native.PushRequestErrorsArray(_cluster, apiKey, (UIntPtr)errorCodes.Length, errorCodes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _native.MockClusterDestroy(_cluster);
        _native.Destroy(_client);
    }

    private static void Check(int err, string what)
    {
        if (err != 0) throw new InvalidOperationException($"mock cluster {what} failed: error {err}");
    }

    private static string CString(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr ConfNewFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int ConfSetFn(IntPtr conf, [MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, byte[] errstr, UIntPtr errstrSize);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr NewFn(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void DestroyFn(IntPtr rk);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr MockClusterNewFn(IntPtr rk, int brokerCount);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void MockClusterDestroyFn(IntPtr mc);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr MockClusterBootstrapsFn(IntPtr mc);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int MockTopicCreateFn(IntPtr mc, [MarshalAs(UnmanagedType.LPUTF8Str)] string topic, int partitions, int replicationFactor);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int BrokerIdFn(IntPtr mc, int brokerId);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int BrokerRttFn(IntPtr mc, int brokerId, int rttMs);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate int BrokerHostPortFn(IntPtr mc, int brokerId, [MarshalAs(UnmanagedType.LPUTF8Str)] string host, int port);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void PushErrorsArrayFn(IntPtr mc, short apiKey, UIntPtr count, int[] errors);

    private sealed record Native(
        ConfNewFn ConfNew,
        ConfSetFn ConfSet,
        NewFn New,
        DestroyFn Destroy,
        MockClusterNewFn MockClusterNew,
        MockClusterDestroyFn MockClusterDestroy,
        MockClusterBootstrapsFn MockClusterBootstraps,
        MockTopicCreateFn MockTopicCreate,
        BrokerIdFn BrokerSetDown,
        BrokerIdFn BrokerSetUp,
        BrokerRttFn BrokerSetRtt,
        BrokerHostPortFn BrokerSetHostPort,
        PushErrorsArrayFn PushRequestErrorsArray)
    {
        private static readonly Lock Gate = new();
        private static Native? s_bound;

        public static Native Bind(string path)
        {
            lock (Gate)
            {
                if (s_bound is not null) return s_bound;
                var handle = NativeLibrary.Load(path);
                T Fn<T>(string name) where T : Delegate =>
                    Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(handle, name));
                s_bound = new Native(
                    Fn<ConfNewFn>("rd_kafka_conf_new"),
                    Fn<ConfSetFn>("rd_kafka_conf_set"),
                    Fn<NewFn>("rd_kafka_new"),
                    Fn<DestroyFn>("rd_kafka_destroy"),
                    Fn<MockClusterNewFn>("rd_kafka_mock_cluster_new"),
                    Fn<MockClusterDestroyFn>("rd_kafka_mock_cluster_destroy"),
                    Fn<MockClusterBootstrapsFn>("rd_kafka_mock_cluster_bootstraps"),
                    Fn<MockTopicCreateFn>("rd_kafka_mock_topic_create"),
                    Fn<BrokerIdFn>("rd_kafka_mock_broker_set_down"),
                    Fn<BrokerIdFn>("rd_kafka_mock_broker_set_up"),
                    Fn<BrokerRttFn>("rd_kafka_mock_broker_set_rtt"),
                    Fn<BrokerHostPortFn>("rd_kafka_mock_broker_set_host_port"),
                    Fn<PushErrorsArrayFn>("rd_kafka_mock_push_request_errors_array"));
                return s_bound;
            }
        }
    }
}
