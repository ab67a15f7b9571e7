using KafkaRestored.Benchmarks;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

// Restore throughput against the producer ceiling, side by side in one run on the same hosted
// broker. Ratios matter, not absolute numbers: the machines are noisy.
//   dotnet run -c Release --project bench/Benchmarks -- [--records N] [--partitions P] [--compressions none,lz4,zstd]
//     [--sections throughput,pairs,direct,memory,resume,profile,reconcile,offsetmaps,read1g,distributed] [--pairs N] [--reconcile-files N] [--out FILE]
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
var streaming = options.Has("throughput") || options.Has("pairs");
var withKcat = streaming || options.Has("direct");
var kcatInput = withKcat && Kcat.IsInstalled ? KcatProducer.WriteInput(dataset, work.Combine("kcat-input.txt")) : null;
if (withKcat && kcatInput is null) Console.WriteLine("kcat not installed: baseline b skipped (apt-get install kcat)");
using var s3 = streaming || options.Has("read1g") ? new S3rverFixture() : null;
// Azurite and the GCS emulator (npm, like s3rver) for the other clouds' rows of the throughput section.
using var azurite = options.Has("throughput") ? new AzuriteFixture() : null;
using var gcs = options.Has("throughput") ? new GcsEmulatorFixture() : null;
if (options.Has("throughput"))
{
    results.Add(Measure("a: raw Confluent.Kafka producer", dataset, RawProducer.Run));
    results.Add(Measure("a2: librdkafka's C API from .NET", dataset, (b, t, d) => DirectProducer.Run(b, t, d)));
    if (kcatInput is not null) results.Add(Measure("b: kcat producer", dataset, (b, t, _) => KcatProducer.Run(b, t, kcatInput)));
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

        var s3Storage = await CloudBenchStorage.S3Async(s3!, work.Combine("secrets"));
        Console.WriteLine($"writing {name} backup to s3rver...");
        await RestoreContender.WriteBackupAsync(s3Storage, dataset, compression);
        results.Add(Measure($"d: restore, s3rver, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, s3Storage, Fresh(work))));
        if (compression != BackupCompression.None) continue;

        // The other clouds' stand-ins, uncompressed, segments of 12 MiB (see CloudBenchStorage.SegmentBytes).
        var azureStorage = await CloudBenchStorage.AzureAsync(azurite!, work.Combine("secrets"));
        Console.WriteLine("writing none backup to Azurite...");
        await RestoreContender.WriteBackupAsync(azureStorage, dataset, compression, CloudBenchStorage.SegmentBytes);
        results.Add(Measure($"e: restore, azurite, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, azureStorage, Fresh(work))));
        var gcsStorage = CloudBenchStorage.Gcs(gcs!, work.Combine("secrets"));
        Console.WriteLine("writing none backup to the GCS emulator...");
        await RestoreContender.WriteBackupAsync(gcsStorage, dataset, compression, CloudBenchStorage.SegmentBytes);
        results.Add(Measure($"f: restore, gcs emulator, {name}", dataset, (b, t, d) => RestoreContender.Run(b, t, d, gcsStorage, Fresh(work))));
    }
}

// A folder whose librdkafka.so.1 is the bundled librdkafka, for kcat's LD_LIBRARY_PATH: kcat on the very library the restore uses.
string BundledKcatLibraryDir()
{
    var dir = work.Combine("kcat-bundled-librdkafka");
    Directory.CreateDirectory(dir);
    var link = Path.Combine(dir, "librdkafka.so.1");
    if (!File.Exists(link)) File.CreateSymbolicLink(link, DirectProducer.LibraryPath);
    return dir;
}

async Task EnsureNoneBackupAsync()
{
    if (fsNoneWritten) return;
    Console.WriteLine("writing none backup to a folder...");
    await RestoreContender.WriteBackupAsync(fsNone, dataset, BackupCompression.None);
    fsNoneWritten = true;
}

// Rounds: a, a2, b, c (filesystem, none) and d (s3rver, none) one after another, so each round's
// contenders see about the same background load; the medians of the per-round ratios are the
// robust c/a, c/b, d/c, a2/b and c/a2 on a shared machine.
var pairs = new List<PairRound>();
var fixedCosts = new List<PairRound>();
if (options.Has("pairs"))
{
    await EnsureNoneBackupAsync();
    var s3None = await CloudBenchStorage.S3Async(s3!, work.Combine("secrets"));
    Console.WriteLine("writing none backup to s3rver...");
    await RestoreContender.WriteBackupAsync(s3None, dataset, BackupCompression.None);
    var bundledKcatDir = kcatInput is null ? null : BundledKcatLibraryDir();
    var previousDaemon = Environment.GetEnvironmentVariable("KR_BENCH_PREVIOUS_DAEMON");
    for (var round = 1; round <= options.Pairs; round++)
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var ra = Measure($"a: raw Confluent.Kafka producer (round {round})", dataset, RawProducer.Run);
        var ra2 = Measure($"a2: librdkafka's C API from .NET (round {round})", dataset, (b, t, d) => DirectProducer.Run(b, t, d));
        var rb = kcatInput is null ? null : Measure($"b: kcat producer (round {round})", dataset, (b, t, _) => KcatProducer.Run(b, t, kcatInput));
        var rb2 = kcatInput is null ? null : Measure($"b2: kcat on the bundled librdkafka (round {round})", dataset, (b, t, _) => KcatProducer.Run(b, t, kcatInput, bundledKcatDir));
        var rc = Measure($"c: restore, filesystem, none (round {round})", dataset, (b, t, d) => RestoreContender.Run(b, t, d, fsNone, Fresh(work)));
        var rc0 = Measure($"c0: restore, filesystem, none, Confluent.Kafka's producer (round {round})", dataset,
            (b, t, d) => RestoreContender.Run(b, t, d, fsNone, Fresh(work), producer: "confluent"));
        // KR_BENCH_PREVIOUS_DAEMON: an earlier build's kafka-restored.dll, timed as cP beside c in every round (before and after).
        var rcp = previousDaemon is null ? null : Measure($"cP: restore, filesystem, none, the previous build (round {round})", dataset,
            (b, t, d) => RestoreContender.Run(b, t, d, fsNone, Fresh(work), daemon: previousDaemon));
        var s3Cpu = Profiling.ProcessCpuSeconds(s3!.ProcessId, children: false);
        var rd = Measure($"d: restore, s3rver, none (round {round})", dataset, (b, t, d) => RestoreContender.Run(b, t, d, s3None, Fresh(work)));
        s3Cpu = Profiling.ProcessCpuSeconds(s3.ProcessId, children: false) - s3Cpu;
        pairs.Add(new PairRound(round, load, ra, rb, rc, rd, ra2) { KcatBundled = rb2, RestoreConfluent = rc0, RestorePrevious = rcp, S3ServerCpuSeconds = s3Cpu });
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
        var rc0 = Measure($"c0: restore, filesystem, none, Confluent.Kafka's producer (fixed cost {round})", tiny,
            (b, t, d) => RestoreContender.Run(b, t, d, tinyFs, Fresh(work), producer: "confluent"));
        var rcp = previousDaemon is null ? null : Measure($"cP: restore, filesystem, none, the previous build (fixed cost {round})", tiny,
            (b, t, d) => RestoreContender.Run(b, t, d, tinyFs, Fresh(work), daemon: previousDaemon));
        fixedCosts.Add(new PairRound(round, load, ra, null, rc, null) { RestoreConfluent = rc0, RestorePrevious = rcp });
    }
}

// a2's variants against kcat on both librdkafka builds, alternating: how much of the gap between
// a2 and b is headers, generating the records, librdkafka's version, or the .NET side.
var directRounds = new List<DirectRound>();
if (options.Has("direct") && kcatInput is not null)
{
    var kcatLibrary = KcatProducer.SystemLibrary();
    var bundledDir = BundledKcatLibraryDir();
    var bundled = DirectProducer.VersionOf(DirectProducer.LibraryPath);
    var system = DirectProducer.VersionOf(kcatLibrary);
    var kcatLike = new DirectVariant(Headers: false, Pregenerated: true);
    (string Label, Func<string, string, Dataset, long?> Run)[] contenders =
    [
        ($"a2 ({bundled})", (b, t, d) => DirectProducer.Run(b, t, d)),
        ($"a2, no headers ({bundled})", (b, t, d) => DirectProducer.Run(b, t, d, new DirectVariant(Headers: false))),
        ($"a2, no headers, ring of {DirectVariant.RingRecords:N0} pre-generated records ({bundled})", (b, t, d) => DirectProducer.Run(b, t, d, kcatLike)),
        ($"a2, no headers, ring ({system}, kcat's)", (b, t, d) => DirectProducer.Run(b, t, d, kcatLike with { Library = kcatLibrary })),
        ($"b: kcat ({system})", (b, t, _) => KcatProducer.Run(b, t, kcatInput)),
        ($"b: kcat ({bundled}, LD_LIBRARY_PATH)", (b, t, _) => KcatProducer.Run(b, t, kcatInput, bundledDir)),
    ];
    for (var round = 1; round <= options.Pairs; round++)
    {
        var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        var runs = contenders.Select(c => (c.Label, Measure($"{c.Label} (round {round})", dataset, c.Run))).ToList();
        directRounds.Add(new DirectRound(round, load, runs));
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
DirectProfile? directProfile = null;
if (options.Has("profile"))
{
    // a2's threads: the producing thread (produce, poll, delivery callbacks) against librdkafka's own.
    var directCpu = new Dictionary<string, double>();
    var perfData = work.Combine("a2.perf.data");
    var directRun = Measure("a2: librdkafka's C API from .NET (profiled)", dataset, (b, t, d) => DirectProducer.Run(b, t, d, threadCpu: directCpu, perfData: perfData));
    directProfile = new DirectProfile(directRun, directCpu, DirectProducer.GenerationCpuSeconds(dataset), DirectProducer.LibraryPath,
        Profiling.PerfReport(perfData, "comm,dso", 25), Profiling.PerfReport(perfData, "comm,dso,sym", 40));

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
    read1g.Add(await BackupReadMemory.MeasureAsync(BackupCompression.None, work.Path, s3!));
}

// Distributed mode: one daemon against three on one restore, and the failover after a SIGKILL of the leader.
IReadOnlyList<DistributedRun>? distributed = null;
if (options.Has("distributed"))
{
    await EnsureNoneBackupAsync();
    distributed = await DistributedFailover.MeasureAsync(dataset, fsNone, Fresh(work));
}

var machine = new MachineLoad(started, loadBefore, File.ReadAllText("/proc/loadavg").Trim(), Environment.ProcessorCount);
var report = Report.Render(dataset, machine, results, pairs, fixedCosts, memory4x, resume, threadCpu, profile, realMap, reconcile, offsetMaps, directProfile, directRounds);
if (read1g.Count > 0) report += BackupReadMemory.Render(read1g);
if (distributed is not null) report += DistributedFailover.Render(distributed);
Console.WriteLine();
Console.WriteLine(report);
if (options.OutFile is not null)
{
    File.WriteAllText(options.OutFile, report);
    Console.WriteLine("written to " + options.OutFile);
}
return 0;

static string Fresh(TempDir work) => Contest.Fresh(work);

static Measurement Measure(string name, Dataset dataset, Func<string, string, Dataset, long?> run) => Contest.Measure(name, dataset, run);
