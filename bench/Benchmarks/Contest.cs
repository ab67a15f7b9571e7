using System.Diagnostics;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>Runs one contender against a fresh mock broker and checks what landed.</summary>
internal static class Contest
{
    /// <summary>A new empty folder under <paramref name="work"/>.</summary>
    public static string Fresh(TempDir work)
    {
        var dir = work.Combine("run-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Times <paramref name="run"/> (bootstrap, topic, dataset → peak RSS or null) and counts the records that landed.</summary>
    public static Measurement Measure(string name, Dataset dataset, Func<string, string, Dataset, long?> run)
    {
        // A fresh broker per contender: the mock keeps every record in memory.
        using var broker = MockKafkaBroker.Start(3);
        var topic = $"bench-{Guid.NewGuid().ToString("N")[..8]}";
        broker.CreateTopic(topic, dataset.Partitions);
        Console.Write($"{name}: ");
        var brokerCpu = Profiling.ProcessCpuSeconds(broker.ProcessId, children: false);
        var ownCpu = Profiling.ProcessCpuSeconds(Environment.ProcessId, children: true);
        var sw = Stopwatch.StartNew();
        var peakRss = run(broker.BootstrapServers, topic, dataset);
        sw.Stop();
        // This process's CPU plus its reaped children's: the in-process producer, kcat or the restore CLI.
        ownCpu = Profiling.ProcessCpuSeconds(Environment.ProcessId, children: true) - ownCpu;
        brokerCpu = Profiling.ProcessCpuSeconds(broker.ProcessId, children: false) - brokerCpu;
        var landed = Watermarks.Total(broker.BootstrapServers, topic, dataset.Partitions);
        var rss = peakRss is { } b ? $", peak RSS {b / 1e6:F0} MB" : "";
        Console.WriteLine($"{dataset.Records / sw.Elapsed.TotalSeconds:N0} records/s ({sw.Elapsed.TotalSeconds:F2} s, {landed:N0} records landed{rss}, CPU {ownCpu:F1} s, broker CPU {brokerCpu:F1} s)");
        if (landed != dataset.Records)
            throw new InvalidOperationException($"{name}: {landed} records landed, expected {dataset.Records}");
        return new Measurement(name, sw.Elapsed, dataset.Records, dataset.PayloadBytes, peakRss, ownCpu, brokerCpu);
    }
}
