
namespace KafkaRestored.Benchmarks;

/// <summary>One contender's result: wall time, peak RSS (restore CLI only), CPU seconds of the contender and of the mock broker.</summary>
internal sealed record Measurement(string Name, TimeSpan Elapsed, long Records, long PayloadBytes, long? PeakRssBytes, double CpuSeconds, double BrokerCpuSeconds)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double MegabytesPerSecond => PayloadBytes / 1e6 / Elapsed.TotalSeconds;
}
