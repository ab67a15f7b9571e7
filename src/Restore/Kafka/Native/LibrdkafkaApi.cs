using System.Runtime.InteropServices;

namespace KafkaRestored.Restore.Kafka.Native;

/// <summary>
/// The few librdkafka C functions the restore's producer calls directly (docs/restore-engine.md,
/// "Producing"), as function pointers into one loaded file: by default the bundled librdkafka that
/// Confluent.Kafka itself uses (<see cref="BundledLibrdkafka"/>), so both share one library and one
/// version check. No Kafka protocol code: librdkafka does all of that.
/// </summary>
internal sealed unsafe class LibrdkafkaApi
{
    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER.</summary>
    public const int Producer = 0;

    /// <summary>rd_kafka_conf_res_t RD_KAFKA_CONF_OK.</summary>
    public const int ConfOk = 0;

    /// <summary>RD_KAFKA_MSG_F_COPY: librdkafka copies key and value before the call returns.</summary>
    public const int MsgFCopy = 0x2;

    /// <summary>RD_KAFKA_RESP_ERR__QUEUE_FULL.</summary>
    public const int ErrQueueFull = -184;

    /// <summary>RD_KAFKA_RESP_ERR__FATAL: the error callback's code when the instance hit a fatal error.</summary>
    public const int ErrFatal = -150;

    /// <summary>RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE.</summary>
    public const int ErrMsgSizeTooLarge = 10;

    /// <summary>RD_KAFKA_RESP_ERR__MSG_SIZE_TOO_LARGE (the client's own limit, message.max.bytes).</summary>
    public const int ErrLocalMsgSizeTooLarge = -174;

    /// <summary>rd_kafka_vtype_t values used here.</summary>
    public const int VtypeTopic = 1, VtypeRkt = 2, VtypePartition = 3, VtypeValue = 4, VtypeKey = 5, VtypeOpaque = 6,
        VtypeMsgflags = 7, VtypeTimestamp = 8, VtypeHeader = 9, VtypeHeaders = 10;

    private static readonly Dictionary<string, LibrdkafkaApi> Loaded = [];
    private static readonly Lock Gate = new();

    public readonly delegate* unmanaged[Cdecl]<IntPtr> ConfNew;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ConfDestroy;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, byte*, nuint, int> ConfSet;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, void>, void> ConfSetDrMsgCb;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, IntPtr, void>, void> ConfSetErrorCb;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, IntPtr, void>, void> ConfSetLogCb;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void> ConfSetOpaque;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr, int>, void> ConfSetStatsCb;
    public readonly delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr> New;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> Destroy;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> Opaque;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr, IntPtr> TopicNew;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> TopicDestroy;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, VarArg*, nuint, IntPtr> Produceva;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int> ErrorCode;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, IntPtr> ErrorString;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> ErrorDestroy;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, int> Poll;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int, int> Flush;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, int> OutqLen;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, int> FatalError;
    public readonly delegate* unmanaged[Cdecl]<int, IntPtr> Err2Str;
    public readonly delegate* unmanaged[Cdecl]<nuint, IntPtr> HeadersNew;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, void> HeadersDestroy;
    public readonly delegate* unmanaged[Cdecl]<IntPtr, byte*, nint, byte*, nint, int> HeaderAdd;

    private LibrdkafkaApi(IntPtr lib)
    {
        IntPtr F(string name) => NativeLibrary.GetExport(lib, name);
        ConfNew = (delegate* unmanaged[Cdecl]<IntPtr>)F("rd_kafka_conf_new");
        ConfDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)F("rd_kafka_conf_destroy");
        ConfSet = (delegate* unmanaged[Cdecl]<IntPtr, byte*, byte*, byte*, nuint, int>)F("rd_kafka_conf_set");
        ConfSetDrMsgCb = (delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, IntPtr, IntPtr, void>, void>)F("rd_kafka_conf_set_dr_msg_cb");
        ConfSetErrorCb = (delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, IntPtr, void>, void>)F("rd_kafka_conf_set_error_cb");
        ConfSetLogCb = (delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, int, IntPtr, IntPtr, void>, void>)F("rd_kafka_conf_set_log_cb");
        ConfSetOpaque = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr, void>)F("rd_kafka_conf_set_opaque");
        ConfSetStatsCb = (delegate* unmanaged[Cdecl]<IntPtr, delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, IntPtr, int>, void>)F("rd_kafka_conf_set_stats_cb");
        New = (delegate* unmanaged[Cdecl]<int, IntPtr, byte*, nuint, IntPtr>)F("rd_kafka_new");
        Destroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)F("rd_kafka_destroy");
        Opaque = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)F("rd_kafka_opaque");
        TopicNew = (delegate* unmanaged[Cdecl]<IntPtr, byte*, IntPtr, IntPtr>)F("rd_kafka_topic_new");
        TopicDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)F("rd_kafka_topic_destroy");
        Produceva = (delegate* unmanaged[Cdecl]<IntPtr, VarArg*, nuint, IntPtr>)F("rd_kafka_produceva");
        ErrorCode = (delegate* unmanaged[Cdecl]<IntPtr, int>)F("rd_kafka_error_code");
        ErrorString = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)F("rd_kafka_error_string");
        ErrorDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)F("rd_kafka_error_destroy");
        Poll = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)F("rd_kafka_poll");
        Flush = (delegate* unmanaged[Cdecl]<IntPtr, int, int>)F("rd_kafka_flush");
        OutqLen = (delegate* unmanaged[Cdecl]<IntPtr, int>)F("rd_kafka_outq_len");
        FatalError = (delegate* unmanaged[Cdecl]<IntPtr, byte*, nuint, int>)F("rd_kafka_fatal_error");
        Err2Str = (delegate* unmanaged[Cdecl]<int, IntPtr>)F("rd_kafka_err2str");
        HeadersNew = (delegate* unmanaged[Cdecl]<nuint, IntPtr>)F("rd_kafka_headers_new");
        HeadersDestroy = (delegate* unmanaged[Cdecl]<IntPtr, void>)F("rd_kafka_headers_destroy");
        HeaderAdd = (delegate* unmanaged[Cdecl]<IntPtr, byte*, nint, byte*, nint, int>)F("rd_kafka_header_add");
        Version = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<IntPtr>)F("rd_kafka_version_str"))()) ?? "?";
    }

    /// <summary>The version the file reports.</summary>
    public string Version { get; }

    /// <summary>The bundled librdkafka Confluent.Kafka uses (loading it first when nothing has).</summary>
    public static LibrdkafkaApi Bundled() => For(BundledLibrdkafka.Load().Path);

    /// <summary>
    /// The entry points of the librdkafka file at <paramref name="library"/>. A file other than the bundled one
    /// (the benchmark loads kcat's) is dlopened locally: its functions call its own, not the bundled one's.
    /// </summary>
    public static LibrdkafkaApi For(string library)
    {
        lock (Gate)
        {
            if (!Loaded.TryGetValue(library, out var api)) Loaded[library] = api = new LibrdkafkaApi(NativeLibrary.Load(library));
            return api;
        }
    }

    /// <summary>librdkafka's name for an error code (rd_kafka_err2str).</summary>
    public string ErrorName(int code) => Marshal.PtrToStringUTF8(Err2Str(code)) ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// rd_kafka_vu_t: the type, then a 64-byte union (i32 / i64 / ptr; mem: ptr, size; header: name, value, size).
    /// librdkafka keeps the union padded to 64 bytes so the layout stays the same across versions.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 72)]
    public struct VarArg
    {
        [FieldOffset(0)] public int Type;
        [FieldOffset(8)] public int Int32;
        [FieldOffset(8)] public long Int64;
        [FieldOffset(8)] public IntPtr A;
        [FieldOffset(16)] public IntPtr B;
        [FieldOffset(24)] public IntPtr C;
    }
}
