using System.Diagnostics;
using System.Globalization;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>Where a benchmark backup lives: a folder, or a bucket or container on s3rver, Azurite or the GCS emulator.</summary>
internal sealed record BenchStorage(string Label, StorageSpec Spec, string? SecretsDir);

/// <summary>
/// Contenders c and d: the real <c>kafka-restored restore -f</c> binary restoring the dataset,
/// as a child process so its peak RSS can be read from /proc.
/// </summary>
internal static class RestoreContender
{
    public const string BackupId = "bench-backup";

    /// <summary>Writes the dataset as a backup with the product's writer.</summary>
    public static async Task WriteBackupAsync(BenchStorage storage, Dataset dataset, BackupCompression compression, long? segmentBytes = null)
    {
        var target = BackupStorageFactory.Create(storage.Spec, new SecretStore(storage.SecretsDir));
        await using var writer = new BackupWriter(target, BackupId, compression,
            segmentBytes is { } max ? new BackupWriterOptions { MaxSegmentBytes = max } : new BackupWriterOptions());
        var key = new byte[20];
        var value = new byte[200];
        // Partition-major order: each partition's records are contiguous offsets 0..n-1.
        for (var p = 0; p < dataset.Partitions; p++)
        {
            long offset = 0;
            for (long i = p; i < dataset.Records; i += dataset.Partitions)
            {
                Dataset.Fill(i, key, value);
                var headers = Dataset.HeadersFor(i);
                await writer.AppendAsync("bench", p, new BackupRecord
                {
                    Offset = offset++,
                    Timestamp = Dataset.TimestampFor(i),
                    Key = (byte[])key.Clone(),
                    Value = (byte[])value.Clone(),
                    Headers = headers is null ? [] : [.. headers.Select(h => new BackupHeader(h.Key, h.GetValueBytes()))],
                }, CancellationToken.None);
            }
        }
        await writer.CompleteAsync(new Dictionary<string, int> { ["bench"] = dataset.Partitions }, "bench-source", ["bench:9092"], null, null, CancellationToken.None);
    }

    /// <summary>
    /// Runs the restore CLI into <paramref name="topic"/>; returns its peak RSS in bytes.
    /// <paramref name="producer"/> chooses the engine's producer (KR_RESTORE_PRODUCER);
    /// <paramref name="killAtFraction"/> SIGKILLs it once that share has landed; <paramref name="threadCpu"/>
    /// receives CPU seconds per thread name; <paramref name="traceFile"/> attaches dotnet-trace; <paramref name="daemon"/>
    /// is the kafka-restored.dll to run (default: KR_BENCH_DAEMON, else this checkout's build).
    /// </summary>
    public static long? Run(string bootstrap, string topic, Dataset dataset, BenchStorage storage, string workDir, double? killAtFraction = null,
        Dictionary<string, double>? threadCpu = null, string? traceFile = null, string? producer = null, string? daemon = null)
    {
        Directory.CreateDirectory(workDir);
        var yaml = Path.Combine(workDir, "restore.yaml");
        File.WriteAllText(yaml, RestoreYaml(bootstrap, topic, storage.Spec));
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The engine's producer (native or confluent; unset: the default, native).
        if (producer is not null) psi.Environment["KR_RESTORE_PRODUCER"] = producer;
        // KR_BENCH_DAEMON: another build of kafka-restored.dll to time, e.g. a ReadyToRun publish.
        daemon ??= Environment.GetEnvironmentVariable("KR_BENCH_DAEMON") ?? RepoPaths.ProjectOutput("src/Daemon", "kafka-restored");
        foreach (var a in new[] { daemon, "restore", "-f", yaml, "--state-dir", Path.Combine(workDir, "state") })
            psi.ArgumentList.Add(a);
        if (storage.SecretsDir is not null)
        {
            psi.ArgumentList.Add("--secrets-dir");
            psi.ArgumentList.Add(storage.SecretsDir);
        }
        // KR_BENCH_RESTORE_PERF=FOLDER: perf record of every restore run (managed frames named through DOTNET_PerfMapEnabled),
        // reported by library and by symbol on the console after it.
        var perfDir = Environment.GetEnvironmentVariable("KR_BENCH_RESTORE_PERF");
        if (perfDir is not null) psi.Environment["DOTNET_PerfMapEnabled"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start kafka-restored");
        var perfData = perfDir is null ? null : Path.Combine(perfDir, $"restore-{process.Id}.data");
        using var perf = perfData is null ? null : Profiling.StartPerf(process.Id, perfData);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var tracer = traceFile is null ? null : Profiling.Attach(process.Id, traceFile);
        var threads = new Dictionary<int, (string Name, double Seconds)>();
        long peak = 0;
        var lastLandedCheck = Stopwatch.StartNew();
        var lastCpuSample = Stopwatch.StartNew();
        while (!process.WaitForExit(50))
        {
            peak = Math.Max(peak, ProcessMemory.HighWaterMark(process.Id));
            if (threadCpu is not null && lastCpuSample.ElapsedMilliseconds >= 200)
            {
                lastCpuSample.Restart();
                Profiling.SampleThreads(process.Id, threads);
            }
            if (killAtFraction is { } f && lastLandedCheck.ElapsedMilliseconds > 200)
            {
                lastLandedCheck.Restart();
                if (Watermarks.Total(bootstrap, topic, dataset.Partitions) >= dataset.Records * f)
                {
                    process.Kill();
                    process.WaitForExit();
                    return peak;
                }
            }
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"kafka-restored restore exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
        if (perf is not null && perfData is not null)
        {
            perf.WaitForExit(60_000);
            foreach (var line in Profiling.PerfReport(perfData, "dso", 15).Concat(Profiling.PerfReport(perfData, "sym", 40))) Console.WriteLine("  perf: " + line);
        }
        if (threadCpu is not null)
        {
            foreach (var (name, seconds) in threads.Values)
                threadCpu[name] = threadCpu.GetValueOrDefault(name) + seconds;
        }
        tracer?.WaitForExit(60_000);
        return peak;
    }

    /// <summary>The restore resource the contenders run (name bench-restore, default namespace).</summary>
    internal static string RestoreYaml(string bootstrap, string topic, StorageSpec storage)
    {
        var storageYaml = storage.StorageType switch
        {
            StorageType.Filesystem => $"    storageType: filesystem\n    filesystem:\n      path: \"{storage.Filesystem!.Path}\"\n",
            StorageType.S3 => $"    storageType: s3\n    s3:\n      bucket: {storage.S3!.Bucket}\n      region: us-east-1\n      endpoint: \"{storage.S3.Endpoint}\"\n      forcePathStyle: true\n"
                + "      credentialsSecret:\n        name: s3\n        accessKeyKey: accessKey\n        secretKeyKey: secretKey\n",
            StorageType.Azure => $"    storageType: azure\n    azure:\n      container: {storage.Azure!.Container}\n      accountName: {storage.Azure.AccountName}\n"
                + $"      endpoint: \"{storage.Azure.Endpoint}\"\n      credentialsSecret:\n        name: azure\n        accountKeyKey: accountKey\n",
            _ => $"    storageType: gcs\n    gcs:\n      bucket: {storage.Gcs!.Bucket}\n      endpoint: \"{storage.Gcs.Endpoint}\"\n"
                + "      credentialsSecret:\n        name: gcs\n        serviceAccountJsonKey: service-account.json\n",
        };
        return string.Create(CultureInfo.InvariantCulture, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata:
              name: bench-restore
            spec:
              backupId: {BackupId}
              targetCluster:
                bootstrapServers: [{string.Join(", ", bootstrap.Split(',').Select(b => $"\"{b}\""))}]
              storage:
            {storageYaml}  topicMapping:
                bench: {topic}
              resources:
                limits:
                  cpu: "2"
                  memory: 256Mi

            """);
    }
}
