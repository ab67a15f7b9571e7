using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Benchmarks;
using KafkaRestored.TestSupport;

// Restore throughput against the producer ceiling, side by side in one run on the same hosted
// broker. Ratios matter, not absolute numbers: the machines are noisy.
//   dotnet run -c Release --project bench/Benchmarks -- [--records N] [--partitions P] [--out FILE]
var options = BenchOptions.Parse(args);
var dataset = new Dataset(options.Records, options.Partitions);
Console.WriteLine($"dataset: {dataset.Records:N0} records over {dataset.Partitions} partitions, {dataset.PayloadBytes / 1e6:F1} MB payload");

var results = new List<Measurement>();
results.Add(Measure("a: raw Confluent.Kafka producer", dataset, RawProducer.Run));
if (Kcat.IsInstalled) results.Add(Measure("b: kcat producer", dataset, KcatProducer.Run));
else Console.WriteLine("kcat not installed: baseline b skipped (apt-get install kcat)");

var report = Report.Render(dataset, results);
Console.WriteLine();
Console.WriteLine(report);
if (options.OutFile is not null)
{
    File.WriteAllText(options.OutFile, report);
    Console.WriteLine("written to " + options.OutFile);
}
return 0;

static Measurement Measure(string name, Dataset dataset, Func<string, string, Dataset, long?> run)
{
    // A fresh broker per contender: the mock keeps every record in memory.
    using var broker = MockKafkaBroker.Start(3);
    var topic = $"bench-{Guid.NewGuid().ToString("N")[..8]}";
    broker.CreateTopic(topic, dataset.Partitions);
    Console.Write($"{name}: ");
    var sw = Stopwatch.StartNew();
    var peakRss = run(broker.BootstrapServers, topic, dataset);
    sw.Stop();
    var landed = Watermarks.Total(broker.BootstrapServers, topic, dataset.Partitions);
    Console.WriteLine($"{dataset.Records / sw.Elapsed.TotalSeconds:N0} records/s ({sw.Elapsed.TotalSeconds:F2} s, {landed:N0} records landed)");
    if (landed != dataset.Records)
        throw new InvalidOperationException($"{name}: {landed} records landed, expected {dataset.Records}");
    return new Measurement(name, sw.Elapsed, dataset.Records, dataset.PayloadBytes, peakRss);
}

/// <summary>One contender's result.</summary>
internal sealed record Measurement(string Name, TimeSpan Elapsed, long Records, long PayloadBytes, long? PeakRssBytes)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double MegabytesPerSecond => PayloadBytes / 1e6 / Elapsed.TotalSeconds;
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(long Records, int Partitions, string? OutFile)
{
    public static BenchOptions Parse(string[] args)
    {
        long records = 2_000_000;
        var partitions = 160;
        string? outFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records": records = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": outFile = args[++i]; break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }
        return new BenchOptions(records, partitions, outFile);
    }
}

/// <summary>Baseline a: Confluent.Kafka with the restore's producer settings, buffers reused.</summary>
internal static class RawProducer
{
    public static long? Run(string bootstrap, string topic, Dataset dataset)
    {
        long delivered = 0, failed = 0;
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            QueueBufferingMaxKbytes = 256 * 1024,
        };
        using (var producer = new ProducerBuilder<byte[], byte[]>(config).Build())
        {
            var key = new byte[20];
            var value = new byte[200];
            void Report(DeliveryReport<byte[], byte[]> r)
            {
                if (r.Error.IsError) Interlocked.Increment(ref failed);
                else Interlocked.Increment(ref delivered);
            }
            for (long i = 0; i < dataset.Records; i++)
            {
                Dataset.Fill(i, key, value);
                var message = new Message<byte[], byte[]>
                {
                    Key = key,
                    Value = value,
                    Headers = Dataset.HeadersFor(i),
                    Timestamp = new Timestamp(Dataset.TimestampFor(i), TimestampType.CreateTime),
                };
                while (true)
                {
                    try
                    {
                        producer.Produce(new TopicPartition(topic, (int)(i % dataset.Partitions)), message, Report);
                        break;
                    }
                    catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(10));
                    }
                }
            }
            producer.Flush(TimeSpan.FromMinutes(5));
        }
        if (failed > 0) throw new InvalidOperationException($"raw producer: {failed} deliveries failed");
        return null;
    }
}

/// <summary>Baseline b: kcat producing the same keys and values from a file (kcat cannot vary headers per record, so it sends none).</summary>
internal static class KcatProducer
{
    public static long? Run(string bootstrap, string topic, Dataset dataset)
    {
        // kcat picks partitions by key hash; keys are distinct, so the spread is even.
        var file = Path.Combine(Path.GetTempPath(), $"kcat-bench-{Guid.NewGuid():N}.txt");
        try
        {
            using (var w = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
            {
                var key = new byte[20];
                var value = new byte[200];
                for (long i = 0; i < dataset.Records; i++)
                {
                    Dataset.Fill(i, key, value);
                    w.Write(Encoding.ASCII.GetString(key));
                    w.Write('\t');
                    w.Write(Encoding.ASCII.GetString(value));
                    w.Write('\n');
                }
            }
            var sw = Stopwatch.StartNew();
            ProcessRunner.Run("kcat", ["-P", "-b", bootstrap, "-t", topic, "-K", "\t", "-l",
                "-X", "enable.idempotence=true", "-X", "acks=all", "-X", "linger.ms=5", "-X", "batch.num.messages=10000", file],
                timeout: TimeSpan.FromMinutes(10)).EnsureSuccess("kcat -P");
            return null;
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>Sums high watermarks: how many records a contender really landed.</summary>
internal static class Watermarks
{
    public static long Total(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "bench-watermarks" }).Build();
        long total = 0;
        for (var p = 0; p < partitions; p++)
            total += consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(30)).High.Value;
        return total;
    }
}

/// <summary>Renders docs/BENCHMARKS.md.</summary>
internal static class Report
{
    public static string Render(Dataset dataset, IReadOnlyList<Measurement> results)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| contender | records/s | MB/s | seconds | peak RSS |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var rss = r.PeakRssBytes is { } b ? $"{b / 1e6:F0} MB" : "-";
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {r.Name} | {r.RecordsPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.Elapsed.TotalSeconds:F2} | {rss} |");
        }
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Dataset: {dataset.Records:N0} records, {dataset.Partitions} partitions, {dataset.PayloadBytes / 1e6:F1} MB payload.");
        return sb.ToString();
    }
}
