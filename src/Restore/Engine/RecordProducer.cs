using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// The idempotent producer of one session as the workers see it: enqueue a record, flush, dispose.
/// Two implementations with the same librdkafka settings and the same guarantees:
/// <see cref="NativeRecordProducer"/> (librdkafka's C API, the default) and <see cref="ConfluentRecordProducer"/>
/// (Confluent.Kafka's managed producer, <see cref="RestoreProducerKind.Confluent"/>).
/// Callbacks: <c>delivered(state, records, error)</c> when a record that closes an acknowledgement group
/// is acknowledged (or any record failed: error set, records 0), from the producer's poll thread;
/// <c>error(fatal, text)</c> for client errors; <c>log(facility, message)</c> for librdkafka's log.
/// </summary>
internal abstract class RecordProducer : IDisposable
{
    /// <summary>What <see cref="TryProduce"/> needs to write <paramref name="state"/>'s partition; one per partition run of a worker.</summary>
    public abstract ProduceTarget Bind(PartitionState state);

    /// <summary>
    /// Enqueues record <paramref name="index"/> of <paramref name="chunk"/> with <paramref name="headers"/> (both copied before this returns) to the target's
    /// partition; when <paramref name="acknowledges"/> &gt; 0 its delivery report confirms that many records. False when
    /// the producer's queue is full: wait for deliveries and try again.
    /// </summary>
    /// <exception cref="RecordRefusedException">The producer refused the record (too large, fatal state).</exception>
    public abstract bool TryProduce(ProduceTarget target, RecordChunk chunk, int index, RecordHeaders headers, int acknowledges);

    /// <summary>Waits up to <paramref name="timeout"/> for deliveries; returns the records still in flight.</summary>
    public abstract int Flush(TimeSpan timeout);

    /// <summary>Stops the producer; no record of it lands afterwards.</summary>
    public abstract void Dispose();

    /// <summary>The producer settings every session uses, on top of the target cluster's client settings.</summary>
    public static ProducerConfig Settings(ClientConfig client, RestoreBudget budget) =>
        // A copy: Confluent's config constructors wrap the given dictionary, so setting producer
        // properties on a wrapper would change the shared client settings (and a later consumer
        // built from them fails on "dotnet.producer.*" keys).
        new(new Dictionary<string, string>(client))
        {
            EnableIdempotence = true,
            Acks = Acks.All,
            // A failed batch stops the producer instead of leaving a hole: then the target always
            // holds a prefix of the selected records, which is what resuming relies on.
            EnableGaplessGuarantee = true,
            // Records never expire while brokers are away; the engine's stall timeout decides instead.
            MessageTimeoutMs = 0,
            LingerMs = 10,
            BatchSize = 1_000_000,
            BatchNumMessages = 100_000,
            QueueBufferingMaxKbytes = budget.ProducerQueueKbytes,
            QueueBufferingMaxMessages = budget.ProducerQueueMessages,
            CompressionType = CompressionType.None,
            SocketNagleDisable = true,
            // Come back within seconds when brokers return (the default backs off up to 10 s).
            ReconnectBackoffMaxMs = 2000,
            // Delivery reports only need the error and the offset (a Confluent.Kafka setting; the native producer reads none).
            DeliveryReportFields = "none",
            // Confluent.Kafka's producer polls for deliveries with this timeout and Dispose waits for the poll (default 100 ms).
            CancellationDelayMaxMs = 10,
        };
}

/// <summary>Which producer a restore writes through.</summary>
public enum RestoreProducerKind
{
    /// <summary>librdkafka's C API directly (rd_kafka_produceva): the default, about half the CPU per record.</summary>
    Native,

    /// <summary>Confluent.Kafka's managed producer: the same librdkafka underneath, kept as an escape hatch and a benchmark baseline.</summary>
    Confluent,
}

/// <summary>One partition run's handle on the producer: the partition, and what each implementation keeps per run.</summary>
internal sealed class ProduceTarget(PartitionState state)
{
    public PartitionState State { get; } = state;

    public string Topic => State.Plan.TargetTopic;

    public int Partition => State.Plan.Partition;

    /// <summary>Confluent: the topic-partition and the message object reused for every record of the run.</summary>
    public TopicPartition? TopicPartition { get; init; }

    public Message<byte[]?, byte[]?>? Message { get; init; }

    /// <summary>Native: rd_kafka_topic_t of the target topic, and the state's index in the session.</summary>
    public IntPtr TopicHandle { get; init; }

    public int Index { get; init; }
}

/// <summary>The producer refused a record when it was enqueued.</summary>
internal sealed class RecordRefusedException(bool tooLarge, string reason, Exception? inner = null) : Exception(reason, inner)
{
    /// <summary>Larger than the producer or the brokers accept.</summary>
    public bool TooLarge { get; } = tooLarge;
}

/// <summary>Confluent.Kafka's managed producer.</summary>
internal sealed class ConfluentRecordProducer : RecordProducer
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly Action<PartitionState, int, string?> _delivered;

    public ConfluentRecordProducer(ProducerConfig config, Action<PartitionState, int, string?> delivered, Action<bool, string> error,
        Action<string, string> log)
    {
        _delivered = delivered;
        _producer = new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, m) => log(m.Facility, m.Message))
            .SetErrorHandler((_, e) => error(e.IsFatal, e.IsFatal ? $"{e.Code}: {e.Reason}" : e.Reason))
            .Build();
    }

    public override ProduceTarget Bind(PartitionState state) => new(state)
    {
        TopicPartition = new TopicPartition(state.Plan.TargetTopic, state.Plan.Partition),
        Message = new Message<byte[]?, byte[]?>(),
    };

    // Confluent.Kafka takes arrays: the key, the value and each header value are copied out of the chunk here.
    public override bool TryProduce(ProduceTarget target, RecordChunk chunk, int index, RecordHeaders headers, int acknowledges)
    {
        var message = target.Message!;
        ref readonly var record = ref chunk[index];
        var key = chunk.Key(record, out var keyIsNull);
        var value = chunk.Value(record, out var valueIsNull);
        message.Key = keyIsNull ? null : key.ToArray();
        message.Value = valueIsNull ? null : value.ToArray();
        message.Timestamp = new Timestamp(record.Timestamp, TimestampType.CreateTime);
        // A collection per record: the producer would allocate one for a null, and each header an array anyway.
        var copied = new Headers();
        for (var i = 0; i < headers.Count; i++)
        {
            ref readonly var h = ref headers[i];
            copied.Add(h.Key, h.IsNull ? null : h.Value.ToArray());
        }
        message.Headers = copied;
        try
        {
            _producer.Produce(target.TopicPartition!, message, acknowledges > 0 ? report => OnDelivery(target.State, report, acknowledges) : null);
            return true;
        }
        catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false;
        }
        catch (ProduceException<byte[]?, byte[]?> e)
        {
            throw new RecordRefusedException(e.Error.Code == ErrorCode.MsgSizeTooLarge, e.Error.Reason, e);
        }
    }

    public override int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    public override void Dispose() => _producer.Dispose();

    private void OnDelivery(PartitionState state, DeliveryReport<byte[]?, byte[]?> report, int records)
    {
        if (report.Error.IsError) _delivered(state, 0, $"{report.Error.Code}: {report.Error.Reason}");
        else _delivered(state, records, null);
    }
}
