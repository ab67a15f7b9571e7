namespace KafkaRestored.Benchmarks;

/// <summary>
/// What one run of contender a2 varies, to find where its time goes: another librdkafka file (kcat's),
/// no headers (as kcat sends), or records taken from a ring of pre-generated ones instead of generated per record.
/// </summary>
internal sealed record DirectVariant(string? Library = null, bool Headers = true, bool Pregenerated = false)
{
    /// <summary>a2 as the pairs rounds run it: Confluent.Kafka's librdkafka, the dataset's records and headers.</summary>
    public static readonly DirectVariant Default = new();

    /// <summary>Records in the ring of a pre-generated run.</summary>
    public const int RingRecords = 1024;
}
