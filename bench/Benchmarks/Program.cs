using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Benchmarks;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources;
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

using var work = new TempDir("kr-bench");
using var s3 = new S3rverFixture();
var secrets = work.Combine("secrets");
Directory.CreateDirectory(Path.Combine(secrets, "s3"));
foreach (var k in new[] { "accessKey", "secretKey" })
{
    var f = Path.Combine(secrets, "s3", k);
    File.WriteAllText(f, S3rverFixture.AccessKey);
    File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
}
foreach (var compression in options.Compressions)
{
    var name = compression.ToString().ToLowerInvariant();
    var fs = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-" + name))), null);
    Console.WriteLine($"writing {name} backup to a folder...");
    await RestoreContender.WriteBackupAsync(fs, dataset, compression);
    results.Add(Measure($"c: restore, filesystem, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, fs, Fresh(work))));

    var bucket = await s3.CreateBucketAsync("bench");
    var s3Storage = new BenchStorage("s3rver", new StorageSpec(StorageType.S3,
        new S3StorageSpec(bucket, "us-east-1", null, s3.Endpoint, true, new S3CredentialsSecretRef("s3", "accessKey", "secretKey")), null), secrets);
    Console.WriteLine($"writing {name} backup to s3rver...");
    await RestoreContender.WriteBackupAsync(s3Storage, dataset, compression);
    results.Add(Measure($"d: restore, s3rver, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, s3Storage, Fresh(work))));
}

// Memory: the same restore at 4x the records (and 4x the partitions, to stay under the mock's
// per-partition retention) must not need more memory.
var big = new Dataset(dataset.Records * 4, dataset.Partitions * 4);
var bigFs = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-4x"))), null);
Console.WriteLine("writing 4x backup...");
await RestoreContender.WriteBackupAsync(bigFs, big, BackupCompression.None);
var memory4x = Measure("c: restore, filesystem, none, 4x", big, (b, t, d) => RestoreContender.Run(b, t, d, bigFs, Fresh(work)));

// Resume: kill at 50% (SIGKILL), then time the resumed run against a clean one.
var resumeFs = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-none"))), null);
var resume = ResumeCost.Measure(dataset, resumeFs, Fresh(work));

var report = Report.Render(dataset, results, memory4x, resume);
Console.WriteLine();
Console.WriteLine(report);
if (options.OutFile is not null)
{
    File.WriteAllText(options.OutFile, report);
    Console.WriteLine("written to " + options.OutFile);
}
return 0;
static string Fresh(TempDir work)
{
    var dir = work.Combine("run-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(dir);
    return dir;
}

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
    var rss = peakRss is { } b ? $", peak RSS {b / 1e6:F0} MB" : "";
    Console.WriteLine($"{dataset.Records / sw.Elapsed.TotalSeconds:N0} records/s ({sw.Elapsed.TotalSeconds:F2} s, {landed:N0} records landed{rss})");
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
internal sealed record BenchOptions(long Records, int Partitions, string? OutFile, IReadOnlyList<BackupCompression> Compressions)
{
    public static BenchOptions Parse(string[] args)
    {
        long records = 2_000_000;
        var partitions = 160;
        string? outFile = null;
        IReadOnlyList<BackupCompression> compressions = [BackupCompression.None, BackupCompression.Lz4, BackupCompression.Zstd];
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--records": records = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--partitions": partitions = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--out": outFile = args[++i]; break;
                case "--compressions":
                    compressions = [.. args[++i].Split(',').Select(c => Enum.Parse<BackupCompression>(c, ignoreCase: true))];
                    break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }
        return new BenchOptions(records, partitions, outFile, compressions);
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

/// <summary>Resume cost: a restore SIGKILLed at 50% and resumed, against a clean run.</summary>
internal sealed record ResumeResult(TimeSpan Clean, TimeSpan UntilKill, TimeSpan Resume, long LandedAfterKill, long LandedAfterResume);

/// <summary>Runs the resume experiment on fresh brokers.</summary>
internal static class ResumeCost
{
    public static ResumeResult Measure(Dataset dataset, BenchStorage storage, string workDir)
    {
        TimeSpan clean;
        using (var broker = MockKafkaBroker.Start(3))
        {
            broker.CreateTopic("resume-clean", dataset.Partitions);
            var sw = Stopwatch.StartNew();
            RestoreContender.Run(broker.BootstrapServers, "resume-clean", dataset, storage, Path.Combine(workDir, "clean"));
            clean = sw.Elapsed;
        }
        using var b = MockKafkaBroker.Start(3);
        b.CreateTopic("resume", dataset.Partitions);
        var killedDir = Path.Combine(workDir, "killed");
        var sw2 = Stopwatch.StartNew();
        RestoreContender.Run(b.BootstrapServers, "resume", dataset, storage, killedDir, killAtFraction: 0.5);
        var untilKill = sw2.Elapsed;
        var landedAfterKill = Watermarks.Total(b.BootstrapServers, "resume", dataset.Partitions);
        sw2.Restart();
        RestoreContender.Run(b.BootstrapServers, "resume", dataset, storage, killedDir);
        var resume = sw2.Elapsed;
        var landed = Watermarks.Total(b.BootstrapServers, "resume", dataset.Partitions);
        if (landed != dataset.Records)
            throw new InvalidOperationException($"resume landed {landed} records, expected exactly {dataset.Records}");
        Console.WriteLine($"resume: clean {clean.TotalSeconds:F2} s; killed at {landedAfterKill:N0} records after {untilKill.TotalSeconds:F2} s; resume took {resume.TotalSeconds:F2} s; {landed:N0} records in the end");
        return new ResumeResult(clean, untilKill, resume, landedAfterKill, landed);
    }
}

/// <summary>Renders docs/BENCHMARKS.md.</summary>
internal static class Report
{
    public static string Render(Dataset dataset, IReadOnlyList<Measurement> results, Measurement memory4x, ResumeResult resume)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmarks");
        sb.AppendLine();
        sb.AppendLine("Generated by `dotnet run -c Release --project bench/Benchmarks -- --out docs/BENCHMARKS.md`.");
        sb.AppendLine("Every contender runs against a fresh hosted mock broker (3 brokers) in the same run; compare ratios, not absolute numbers.");
        sb.AppendLine();
        sb.AppendLine(inv, $"Dataset: {dataset.Records:N0} records (20-byte keys, 200-byte values, 3 headers on every third record), {dataset.Partitions} partitions, {dataset.PayloadBytes / 1e6:F1} MB payload.");
        sb.AppendLine();
        sb.AppendLine("## Restore throughput");
        sb.AppendLine();
        sb.AppendLine("| contender | records/s | MB/s | seconds | peak RSS |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var rss = r.PeakRssBytes is { } b ? $"{b / 1e6:F0} MB" : "-";
            sb.AppendLine(inv, $"| {r.Name} | {r.RecordsPerSecond:N0} | {r.MegabytesPerSecond:F1} | {r.Elapsed.TotalSeconds:F2} | {rss} |");
        }
        sb.AppendLine();
        var a = results.FirstOrDefault(r => r.Name.StartsWith("a:", StringComparison.Ordinal));
        var kcat = results.FirstOrDefault(r => r.Name.StartsWith("b:", StringComparison.Ordinal));
        sb.AppendLine("| compression | c/a | c/b | d/a |");
        sb.AppendLine("|---|---:|---:|---:|");
        foreach (var c in results.Where(r => r.Name.StartsWith("c:", StringComparison.Ordinal)))
        {
            var comp = c.Name.Split(", ")[^1];
            var d = results.FirstOrDefault(r => r.Name == $"d: restore, s3rver, {comp}");
            string Ratio(Measurement? x, Measurement? y) => x is null || y is null ? "-" : (x.RecordsPerSecond / y.RecordsPerSecond).ToString("F2", inv);
            sb.AppendLine(inv, $"| {comp} | {Ratio(c, a)} | {Ratio(c, kcat)} | {Ratio(d, a)} |");
        }
        sb.AppendLine();
        sb.AppendLine("## Memory");
        sb.AppendLine();
        var c1 = results.FirstOrDefault(r => r.Name == "c: restore, filesystem, none");
        sb.AppendLine("| backup size | records | peak RSS of `kafka-restored restore` |");
        sb.AppendLine("|---|---:|---:|");
        if (c1?.PeakRssBytes is { } r1) sb.AppendLine(inv, $"| 1x | {c1.Records:N0} | {r1 / 1e6:F0} MB |");
        if (memory4x.PeakRssBytes is { } r4) sb.AppendLine(inv, $"| 4x | {memory4x.Records:N0} | {r4 / 1e6:F0} MB |");
        sb.AppendLine();
        sb.AppendLine("## Resume cost");
        sb.AppendLine();
        sb.AppendLine(inv, $"A clean restore took {resume.Clean.TotalSeconds:F2} s. A restore SIGKILLed after {resume.UntilKill.TotalSeconds:F2} s, with {resume.LandedAfterKill:N0} of {dataset.Records:N0} records written, resumed in {resume.Resume.TotalSeconds:F2} s and ended with exactly {resume.LandedAfterResume:N0} records.");
        return sb.ToString();
    }
}
