using System.Diagnostics;
using System.Runtime;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Backups;

/// <summary>
/// Peak memory while reading a ~1 GB backup (segments of 256 MiB, far larger than the budget).
/// Slow (writes 1 GB per compression), so it runs only with KR_MEMORY_TEST=1:
/// <c>KR_MEMORY_TEST=1 dotnet test tests/Restore.Tests --filter FullyQualifiedName~ReadMemory</c>.
/// </summary>
public sealed class ReadMemoryTests(ITestOutputHelper output)
{
    /// <summary>A theory reported as skipped, with how to run it, unless KR_MEMORY_TEST=1.</summary>
    public sealed class MemoryTheoryAttribute : TheoryAttribute
    {
        /// <summary>Sets <see cref="FactAttribute.Skip"/> unless the opt-in variable is set.</summary>
        public MemoryTheoryAttribute()
        {
            if (Environment.GetEnvironmentVariable("KR_MEMORY_TEST") != "1")
                Skip = "writes and reads 1 GiB per compression: set KR_MEMORY_TEST=1 to run";
        }
    }

    private const long TargetBytes = 1L << 30;
    private const long LimitBytes = 200L * 1024 * 1024;

    [MemoryTheory]
    [InlineData(BackupCompression.None)]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task Reading_a_1_GB_backup_peaks_under_200_MB(BackupCompression compression)
    {
        using var dir = new TempDir("kr-memory");
        var storage = new FilesystemBackupStorage(dir.Combine("root"));
        var value = new byte[1000];
        var random = new Random(1);
        long records = 0;
        await using (var writer = new BackupWriter(storage, "big", compression,
            new BackupWriterOptions { MaxSegmentBytes = 256L * 1024 * 1024, TempDirectory = dir.Combine("spool") }))
        {
            long written = 0;
            while (written < TargetBytes)
            {
                // Half random, half repeated: compressible, but not trivially.
                random.NextBytes(value.AsSpan(0, 500));
                var record = new BackupRecord { Offset = records, Timestamp = records, Key = BitConverter.GetBytes(records), Value = value, Headers = [new("h", [1])] };
                await writer.AppendAsync("t", (int)(records % 2), record, CancellationToken.None);
                written += SegmentFormat.EncodedSize(record);
                records++;
            }
            await writer.CompleteAsync(new Dictionary<string, int> { ["t"] = 2 }, null, [], null, null, CancellationToken.None);
        }
        var manifest = await BackupManifestStore.ReadAsync(storage, "big", CancellationToken.None);
        var stored = manifest.Topics.SelectMany(t => t.Partitions).SelectMany(p => p.Segments).Sum(s => s.CompressedSize);

        // Give back what writing used (the lz4 writer holds a whole segment) before measuring reads.
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var baseline = Status("VmRSS");
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        var watch = Stopwatch.StartNew();
        long read = 0, uncompressed = 0;
        foreach (var segment in manifest.Topics.SelectMany(t => t.Partitions).SelectMany(p => p.Segments))
        {
            await foreach (var r in SegmentReader.ReadAsync(storage, segment.Key, CancellationToken.None))
            {
                read++;
                uncompressed += r.Value!.Length;
            }
        }
        watch.Stop();
        var peak = Status("VmHWM");

        output.WriteLine($"{compression}: {read} records, {stored / 1048576.0:0} MiB stored in {manifest.Topics[0].Partitions.Sum(p => p.Segments.Count)} segments, " +
            $"read in {watch.Elapsed.TotalSeconds:0.0}s; RSS before reading {baseline / 1048576.0:0} MiB, peak while reading {peak / 1048576.0:0} MiB");
        Assert.Equal(records, read);
        Assert.True(peak < LimitBytes, $"peak RSS {peak / 1048576.0:0} MiB");
    }

    private static long Status(string field)
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
