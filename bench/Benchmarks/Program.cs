using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Benchmarks;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

// Restore throughput against the producer ceiling, side by side in one run on the same hosted
// broker. Ratios matter, not absolute numbers: the machines are noisy.
//   dotnet run -c Release --project bench/Benchmarks -- [--records N] [--partitions P] [--compressions none,lz4,zstd]
//     [--sections throughput,pairs,memory,resume,profile,reconcile,offsetmaps,read1g] [--pairs N] [--reconcile-files N] [--out FILE]
// The product's librdkafka, by path, before any client exists (as the kafka-restored binary does).
KafkaRestored.Restore.Kafka.BundledLibrdkafka.Load();
var options = BenchOptions.Parse(args);
var dataset = new Dataset(options.Records, options.Partitions);
Console.WriteLine($"dataset: {dataset.Records:N0} records over {dataset.Partitions} partitions, {dataset.PayloadBytes / 1e6:F1} MB payload");
var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
var started = DateTimeOffset.UtcNow;

using var work = new TempDir("kr-bench");
var results = new List<Measurement>();
var threadCpu = new Dictionary<string, double>();
(long Runs, long Bytes)? realMap = null;
var fsNone = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-none"))), null);
var fsNoneWritten = false;
if (options.Has("throughput"))
{
    results.Add(Measure("a: raw Confluent.Kafka producer", dataset, RawProducer.Run));
    if (Kcat.IsInstalled) results.Add(Measure("b: kcat producer", dataset, KcatProducer.Run));
    else Console.WriteLine("kcat not installed: baseline b skipped (apt-get install kcat)");

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
        var fs = compression == BackupCompression.None ? fsNone
            : new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-" + name))), null);
        Console.WriteLine($"writing {name} backup to a folder...");
        await RestoreContender.WriteBackupAsync(fs, dataset, compression);
        fsNoneWritten |= compression == BackupCompression.None;
        var runDir = Fresh(work);
        var cpu = compression == BackupCompression.None ? threadCpu : null;
        results.Add(Measure($"c: restore, filesystem, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, fs, runDir, threadCpu: cpu)));
        if (compression == BackupCompression.None) realMap = OffsetMapSize.FromStateDirectory(runDir);

        var bucket = await s3.CreateBucketAsync("bench");
        var s3Storage = new BenchStorage("s3rver", new StorageSpec(StorageType.S3,
            new S3StorageSpec(bucket, "us-east-1", null, s3.Endpoint, true, new S3CredentialsSecretRef("s3", "accessKey", "secretKey")), null), secrets);
        Console.WriteLine($"writing {name} backup to s3rver...");
        await RestoreContender.WriteBackupAsync(s3Storage, dataset, compression);
        results.Add(Measure($"d: restore, s3rver, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, s3Storage, Fresh(work))));
    }
}

async Task EnsureNoneBackupAsync()
{
    if (fsNoneWritten) return;
    Console.WriteLine("writing none backup to a folder...");
    await RestoreContender.WriteBackupAsync(fsNone, dataset, BackupCompression.None);
    fsNoneWritten = true;
}

// Pairs: a and c (filesystem, none) alternately, so both see the same background load; the
// median of the per-round ratios is the robust c/a on a shared machine.
var pairs = new List<PairRound>();
var fixedCosts = new List<PairRound>();
if (options.Has("pairs"))
{
    await EnsureNoneBackupAsync();
    for (var round = 1; round <= options.Pairs; round++)
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var ra = Measure($"a: raw Confluent.Kafka producer (pair {round})", dataset, RawProducer.Run);
        var rc = Measure($"c: restore, filesystem, none (pair {round})", dataset, (b, t, d) => RestoreContender.Run(b, t, d, fsNone, Fresh(work)));
        pairs.Add(new PairRound(round, load, ra, rc));
    }
    // Fixed costs: the same pair on 100 records per partition, where the per-record work is
    // negligible (process start, preflight, verification for c; producer setup and flush for a).
    var tiny = new Dataset(dataset.Partitions * 100L, dataset.Partitions);
    var tinyFs = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-tiny"))), null);
    await RestoreContender.WriteBackupAsync(tinyFs, tiny, BackupCompression.None);
    for (var round = 1; round <= options.Pairs; round++)
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var ra = Measure($"a: raw Confluent.Kafka producer (fixed cost {round})", tiny, RawProducer.Run);
        var rc = Measure($"c: restore, filesystem, none (fixed cost {round})", tiny, (b, t, d) => RestoreContender.Run(b, t, d, tinyFs, Fresh(work)));
        fixedCosts.Add(new PairRound(round, load, ra, rc));
    }
}

// Memory: the same restore at 4x the records (and 4x the partitions, to stay under the mock's
// per-partition retention) must not need more memory.
Measurement? memory4x = null;
if (options.Has("memory"))
{
    var big = new Dataset(dataset.Records * 4, dataset.Partitions * 4);
    var bigFs = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(work.Combine("fs-4x"))), null);
    Console.WriteLine("writing 4x backup...");
    await RestoreContender.WriteBackupAsync(bigFs, big, BackupCompression.None);
    memory4x = Measure("c: restore, filesystem, none, 4x", big, (b, t, d) => RestoreContender.Run(b, t, d, bigFs, Fresh(work)));
    Directory.Delete(work.Combine("fs-4x"), recursive: true);
}

// Resume: kill at 50% (SIGKILL), then time the resumed run against a clean one.
ResumeResult? resume = null;
if (options.Has("resume"))
{
    await EnsureNoneBackupAsync();
    resume = ResumeCost.Measure(dataset, fsNone, Fresh(work));
}

// Profile: one more uncompressed restore from the folder, sampled by dotnet-trace when installed.
ProfileResult? profile = null;
if (options.Has("profile"))
{
    await EnsureNoneBackupAsync();
    var trace = work.Combine("restore.nettrace");
    var profileCpu = new Dictionary<string, double>();
    var m = Measure("c: restore, filesystem, none (profiled)", dataset, (b, t, d) => RestoreContender.Run(b, t, d, fsNone, Fresh(work), threadCpu: profileCpu, traceFile: trace));
    if (threadCpu.Count == 0) threadCpu = profileCpu;
    profile = new ProfileResult(m.Elapsed, File.Exists(trace), Profiling.TopMethods(trace, 25, inclusive: false), Profiling.TopMethods(trace, 40, inclusive: true));
    foreach (var line in profile.TopExclusive) Console.WriteLine("profile: " + line);
}

ReconcileScaleResult? reconcile = options.Has("reconcile") ? await ReconcileScale.MeasureAsync(options.ReconcileFiles, Fresh(work)) : null;
var offsetMaps = options.Has("offsetmaps") ? OffsetMapSize.Measure(new Dataset(2_000_000, dataset.Partitions), Fresh(work)) : null;

// Reading a 1 GiB backup (per compression asked for): peak RSS of `backup describe --verify`.
var read1g = new List<BackupReadMeasurement>();
if (options.Has("read1g"))
{
    foreach (var compression in options.Compressions) read1g.Add(await BackupReadMemory.MeasureAsync(compression, work.Path));
    // The same read from s3rver (ranged, streamed GETs of objects uploaded in 16 MiB parts), uncompressed only.
    using var s3 = new S3rverFixture();
    read1g.Add(await BackupReadMemory.MeasureAsync(BackupCompression.None, work.Path, s3));
}

var machine = new MachineLoad(started, loadBefore, File.ReadAllText("/proc/loadavg").Trim(), Environment.ProcessorCount);
var report = Report.Render(dataset, machine, results, pairs, fixedCosts, memory4x, resume, threadCpu, profile, realMap, reconcile, offsetMaps);
if (read1g.Count > 0) report += BackupReadMemory.Render(read1g);
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

/// <summary>One contender's result: wall time, peak RSS (restore CLI only), CPU seconds of the contender and of the mock broker.</summary>
internal sealed record Measurement(string Name, TimeSpan Elapsed, long Records, long PayloadBytes, long? PeakRssBytes, double CpuSeconds, double BrokerCpuSeconds)
{
    public double RecordsPerSecond => Records / Elapsed.TotalSeconds;

    public double MegabytesPerSecond => PayloadBytes / 1e6 / Elapsed.TotalSeconds;
}

/// <summary>Command-line options of the benchmark.</summary>
internal sealed record BenchOptions(long Records, int Partitions, string? OutFile, IReadOnlyList<BackupCompression> Compressions,
    IReadOnlySet<string> Sections, int ReconcileFiles, int Pairs)
{
    /// <summary>Every section, in the order they run.</summary>
    public static readonly string[] AllSections = ["throughput", "pairs", "memory", "resume", "profile", "reconcile", "offsetmaps", "read1g"];

    /// <summary>True when <paramref name="section"/> was asked for.</summary>
    public bool Has(string section) => Sections.Contains(section);

    public static BenchOptions Parse(string[] args)
    {
        long records = 2_000_000;
        var partitions = 160;
        string? outFile = null;
        IReadOnlyList<BackupCompression> compressions = [BackupCompression.None, BackupCompression.Lz4, BackupCompression.Zstd];
        IReadOnlySet<string> sections = AllSections.ToHashSet();
        var reconcileFiles = 10_000;
        var pairs = 3;
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
                case "--sections":
                    sections = args[++i].Split(',').ToHashSet();
                    if (sections.Except(AllSections).FirstOrDefault() is { } unknown)
                        throw new ArgumentException($"unknown section {unknown}; sections: {string.Join(',', AllSections)}");
                    break;
                case "--reconcile-files": reconcileFiles = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--pairs": pairs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException("unknown option " + args[i]);
            }
        }
        return new BenchOptions(records, partitions, outFile, compressions, sections, reconcileFiles, pairs);
    }
}

/// <summary>
/// Baseline a: Confluent.Kafka with the restore's producer settings (ProducerSession: idempotence,
/// acks=all, gapless, linger 10 ms, 1 MB / 100k-message batches, the queue a 256Mi memory limit
/// gives, Nagle off, no delivery report fields), buffers reused.
/// </summary>
internal static class RawProducer
{
    /// <summary>The engine's producer queue for limits.memory 256Mi (RestoreBudget: half the budget, 128 bytes per message).</summary>
    public const int EngineQueueKbytes = 128 * 1024;

    /// <summary>See <see cref="EngineQueueKbytes"/>.</summary>
    public const int EngineQueueMessages = 256 * 1024 * 1024 / 2 / 128;

    public static long? Run(string bootstrap, string topic, Dataset dataset)
    {
        long delivered = 0, failed = 0;
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            EnableGaplessGuarantee = true,
            MessageTimeoutMs = 0,
            LingerMs = 10,
            BatchSize = 1_000_000,
            BatchNumMessages = 100_000,
            QueueBufferingMaxKbytes = EngineQueueKbytes,
            QueueBufferingMaxMessages = EngineQueueMessages,
            CompressionType = CompressionType.None,
            SocketNagleDisable = true,
            DeliveryReportFields = "none",
        };
        // The log handler keeps librdkafka's "gapless guarantee is experimental" notice out of the table.
        using (var producer = new ProducerBuilder<byte[], byte[]>(config).SetLogHandler((_, _) => { }).Build())
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
                "-X", "enable.idempotence=true", "-X", "acks=all", "-X", "enable.gapless.guarantee=true",
                "-X", "linger.ms=10", "-X", "batch.size=1000000", "-X", "batch.num.messages=100000", "-X", "socket.nagle.disable=true",
                "-X", $"queue.buffering.max.kbytes={RawProducer.EngineQueueKbytes}", "-X", $"queue.buffering.max.messages={RawProducer.EngineQueueMessages}", file],
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

