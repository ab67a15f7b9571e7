using System.Diagnostics;
using System.Globalization;
using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Storage.S3;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>One compression's 1 GiB read: what was stored, and the reader's peak RSS.</summary>
internal sealed record BackupReadMeasurement(string Backend, BackupCompression Compression, long Records, int Segments, long StoredBytes, long UncompressedBytes,
    TimeSpan Elapsed, long PeakRssBytes);

/// <summary>
/// Peak memory of reading a backup of at least 1 GiB of records: the product's own full read,
/// <c>kafka-restored backup describe --verify</c> (every segment decoded, CRC and counts checked),
/// as a child process whose VmHWM is sampled from /proc. Segments of 256 MiB, four times the
/// default and larger than the whole memory budget, so a reader that buffered a segment would show.
/// </summary>
internal static class BackupReadMemory
{
    /// <summary>
    /// Uncompressed record bytes written: 1 GiB for none, 2.5 GiB for lz4 and zstd, whose
    /// half-random values compress to about half, so every backup stores at least 1 GiB.
    /// </summary>
    public static long TargetBytes(BackupCompression compression) => compression == BackupCompression.None ? 1L << 30 : 5L << 29;

    private const string BackupId = "read-1g";

    /// <summary>
    /// Writes the backup with the product's writer (to a folder, or to a bucket on <paramref name="s3"/>),
    /// reads it with the CLI, deletes it.
    /// </summary>
    public static async Task<BackupReadMeasurement> MeasureAsync(BackupCompression compression, string workDir, S3rverFixture? s3 = null)
    {
        var root = Path.Combine(workDir, "read-1g-" + compression.ManifestName());
        IBackupStorage storage;
        string[] location;
        string? bucket = null;
        if (s3 is null)
        {
            storage = new FilesystemBackupStorage(root);
            location = ["--path", root];
        }
        else
        {
            bucket = await s3.CreateBucketAsync("read1g");
            storage = new S3BackupStorage(s3.CreateClient(), bucket, null);
            var secrets = Path.Combine(workDir, "read1g-secrets");
            Directory.CreateDirectory(Path.Combine(secrets, "s3"));
            foreach (var k in new[] { "accessKey", "secretKey" })
            {
                var f = Path.Combine(secrets, "s3", k);
                File.WriteAllText(f, S3rverFixture.AccessKey);
                File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            location = ["--s3-bucket", bucket, "--s3-endpoint", s3.Endpoint, "--s3-force-path-style", "--secrets-dir", secrets, "--s3-credentials-secret", "s3"];
        }
        var backend = s3 is null ? "filesystem" : "s3rver";
        Console.WriteLine($"writing a {TargetBytes(compression) / 1073741824.0:0.#} GiB {compression.ManifestName()} backup to {backend}...");
        var value = new byte[1000];
        var random = new Random(1);
        long records = 0;
        await using (var writer = new BackupWriter(storage, BackupId, compression,
            new BackupWriterOptions { MaxSegmentBytes = 256L * 1024 * 1024, TempDirectory = Path.Combine(workDir, "spool") }))
        {
            long written = 0;
            while (written < TargetBytes(compression))
            {
                // Half random, half repeated: compressible, but not trivially.
                random.NextBytes(value.AsSpan(0, 500));
                var record = new BackupRecord { Offset = records / 2, Timestamp = 1_700_000_000_000 + records, Key = BitConverter.GetBytes(records), Value = value, Headers = [new("h", [1])] };
                await writer.AppendAsync("t", (int)(records % 2), record, CancellationToken.None);
                written += SegmentFormat.EncodedSize(record);
                records++;
            }
            await writer.CompleteAsync(new Dictionary<string, int> { ["t"] = 2 }, null, [], null, null, CancellationToken.None);
        }
        var stats = BackupStatistics.From(await BackupManifestStore.ReadAsync(storage, BackupId, CancellationToken.None));
        try
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "backup", "describe", "--backup-id", BackupId, "--verify" }.Concat(location))
                psi.ArgumentList.Add(a);
            Console.Write($"kafka-restored backup describe --verify ({backend}, {compression.ManifestName()}): ");
            var sw = Stopwatch.StartNew();
            using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start kafka-restored");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            long peak = 0;
            while (!process.WaitForExit(20)) peak = Math.Max(peak, ProcessMemory.HighWaterMark(process.Id));
            sw.Stop();
            var segments = stats.Topics.Sum(t => t.Segments);
            if (process.ExitCode != 0 || !stdout.Result.Contains($"verified: {segments} segment(s)", StringComparison.Ordinal))
                throw new InvalidOperationException($"describe --verify exited {process.ExitCode}:\n{stdout.Result}\n{stderr.Result}");
            Console.WriteLine($"{stats.Records:N0} records, {stats.StoredBytes / 1048576.0:F0} MiB stored, {sw.Elapsed.TotalSeconds:F1} s, peak RSS {peak / 1048576.0:F0} MiB");
            return new BackupReadMeasurement(backend, compression, stats.Records, segments, stats.StoredBytes, stats.UncompressedBytes, sw.Elapsed, peak);
        }
        finally
        {
            if (s3 is null) Directory.Delete(root, recursive: true);
            else await DeleteBucketContentsAsync(s3, bucket!);
        }
    }

    /// <summary>The "Reading a 1 GiB backup" section of docs/BENCHMARKS.md.</summary>
    public static string Render(IReadOnlyList<BackupReadMeasurement> runs)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("## Reading a 1 GiB backup");
        sb.AppendLine();
        sb.AppendLine("`kafka-restored backup describe --verify` (decodes every record, checks CRC and counts) over a backup that stores at least 1 GiB");
        sb.AppendLine("(1,000-byte values, half random; 1 GiB of records for none, 2.5 GiB for lz4 and zstd) in segments of 256 MiB uncompressed,");
        sb.AppendLine("from a folder for each compression and from s3rver for none, as a child process; peak RSS is its VmHWM sampled every 20 ms.");
        sb.AppendLine("`--sections read1g`; each backup is deleted after its run.");
        sb.AppendLine();
        sb.AppendLine("| storage | compression | records | segments | stored | uncompressed | seconds | peak RSS |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            sb.AppendLine(inv, $"| {r.Backend} | {r.Compression.ManifestName()} | {r.Records:N0} | {r.Segments} | {r.StoredBytes / 1048576.0:F0} MiB | {r.UncompressedBytes / 1048576.0:F0} MiB | {r.Elapsed.TotalSeconds:F1} | {r.PeakRssBytes / 1048576.0:F0} MiB |");
        }
        sb.AppendLine();
        return sb.ToString();
    }

    private static async Task DeleteBucketContentsAsync(S3rverFixture s3, string bucket)
    {
        using var client = s3.CreateClient();
        var listing = await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = bucket });
        foreach (var o in listing.S3Objects ?? []) await client.DeleteObjectAsync(bucket, o.Key);
    }
}
