using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.Reliability;

/// <summary>
/// Storage faults during restores run by the reconciler: s3rver killed mid-restore and started
/// again, and a segment corrupted on disk next to a healthy restore in the same commit.
/// Counts: docs/RELIABILITY.md ("Storage faults").
/// </summary>
public sealed class StorageFaultTests(KafkaFixture kafka, S3rverFixture s3, Xunit.Abstractions.ITestOutputHelper log)
    : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>
{
    private const int Partitions = 8;
    private const int PerPartition = 10_000;

    private MockKafkaBroker Broker => kafka.Broker;

    [Fact]
    public async Task S3_stopped_mid_restore_and_started_again_fails_an_attempt_and_the_next_one_completes_exactly_once()
    {
        var iterations = ReliabilityCounts.Pick(1, 3);
        using var secrets = new TempDir("kr-storage-faults-secrets");
        Directory.CreateDirectory(secrets.Combine("s3-credentials"));
        foreach (var (file, value) in new[] { ("accessKey", S3rverFixture.AccessKey), ("secretKey", S3rverFixture.SecretKey) })
        {
            var path = secrets.Combine("s3-credentials", file);
            await File.WriteAllTextAsync(path, value);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var bucket = await s3.CreateBucketAsync("faults");
        const string source = "orders";
        var records = FaultRig.Records(source, Partitions, PerPartition);
        var storage = BackupStorageFactory.Create(new StorageSpec(StorageType.S3,
            new S3StorageSpec(bucket, "us-east-1", null, s3.Endpoint, true, new S3CredentialsSecretRef("s3-credentials", "accessKey", "secretKey")), null),
            new SecretStore(secrets.Path));
        await FaultRig.WriteBackupAsync(storage, "backup-s3", source, Partitions, records);

        await using var rig = new FaultRig(secrets.Path);
        long compared = 0;
        for (var i = 0; i < iterations; i++)
        {
            var target = Broker.CreateUniqueTopic("s3-outage", Partitions);
            var name = $"s3-outage-{i}";
            // Slow acknowledgements bound the producer to ~4 MiB per round trip, so most of the 24 MB backup
            // is still in S3 when the first records are seen in the target.
            var yaml = FaultRig.RestoreYaml(name, "backup-s3", source, target, Broker.BootstrapServers, FaultRig.S3Storage(bucket, s3.Endpoint), backoffLimit: 6);
            var landed = await rig.RestoreThroughFaultAsync(Broker, name, yaml, target, Partitions, startFault: s3.Stop, endFault: s3.Restart);

            var (attempts, checkedRecords) = rig.AssertRecoveredExactlyOnce(Broker, name, target, Partitions, records, source);
            compared += checkedRecords;
            log.WriteLine($"iteration {i}: s3rver killed with {landed} of {Partitions * PerPartition} records seen in the target; completed in attempt {attempts}");
        }
        log.WriteLine($"FIGURES s3-outage: restores={iterations} outages={iterations} recordsCompared={compared} lost=0 duplicated=0");
    }

    [Fact]
    public async Task A_segment_corrupted_on_disk_fails_its_restore_with_CorruptSegment_writes_nothing_of_it_and_leaves_the_other_restore_alone()
    {
        var iterations = ReliabilityCounts.Pick(2, 10);
        await using var rig = new FaultRig();
        const string source = "orders";
        const int partitions = 3, perPartition = 4000, segmentRecords = 1000;
        var dir = rig.Remote.Scratch("backups");
        var fs = new FilesystemBackupStorage(dir);
        var records = FaultRig.Records(source, partitions, perPartition);
        await FaultRig.WriteBackupAsync(fs, "backup-good", source, partitions, records, BackupCompression.None, segmentRecords);
        long compared = 0;
        for (var i = 0; i < iterations; i++)
        {
            // Uncompressed, so the flipped byte lands in a record (a key, a value or a length) rather than in a zstd frame;
            // alternate between the middle and the end of the segment.
            var badId = $"backup-bad-{i}";
            var manifest = await FaultRig.WriteBackupAsync(fs, badId, source, partitions, records, BackupCompression.None, segmentRecords);
            var corruptPartition = i % partitions;
            var segment = manifest.Topics.Single().Partitions.Single(p => p.PartitionId == corruptPartition).Segments[2];
            var path = Path.Combine(dir, segment.Key);
            var bytes = await File.ReadAllBytesAsync(path);
            var at = i % 2 == 0 ? bytes.Length / 2 : bytes.Length - 8 - 40;
            bytes[at] ^= 0x5A;
            await File.WriteAllBytesAsync(path, bytes);

            var badTarget = Broker.CreateUniqueTopic("corrupt", partitions);
            var goodTarget = Broker.CreateUniqueTopic("healthy", partitions);
            var storage = FaultRig.FilesystemStorage(dir);
            rig.Remote.HumanCommit($"add two restores ({i})", new Dictionary<string, string?>
            {
                [$"restores/bad-{i}.yaml"] = FaultRig.RestoreYaml($"bad-{i}", badId, source, badTarget, Broker.BootstrapServers, storage, backoffLimit: 1),
                [$"restores/good-{i}.yaml"] = FaultRig.RestoreYaml($"good-{i}", "backup-good", source, goodTarget, Broker.BootstrapServers, storage, backoffLimit: 1),
            });

            Assert.False(await rig.Loop.RunUntilIdleAsync(CancellationToken.None));

            var bad = rig.Record($"bad-{i}")!;
            Assert.Equal(ResourcePhase.Failed, bad.Phase);
            var ready = Conditions.Find(bad.Status.Conditions, ConditionTypes.Ready)!;
            Assert.Equal("CorruptSegment", ready.Reason);
            Assert.Contains(segment.Key, ready.Message);
            Assert.Contains("reason: CorruptSegment", rig.StatusFile($"bad-{i}"));
            // Nothing of the corrupt segment (records from its first offset on) reached the target; what did is a clean prefix.
            var written = FaultRig.AssertPrefixes(Broker.BootstrapServers, badTarget, partitions, records, source);
            Assert.True(written[corruptPartition] <= segment.StartOffset,
                $"{badTarget}[{corruptPartition}] holds {written[corruptPartition]} records; the corrupt segment starts at offset {segment.StartOffset}");

            var good = rig.Record($"good-{i}")!;
            Assert.Equal(ResourcePhase.Completed, good.Phase);
            Assert.Contains("phase: Completed", rig.StatusFile($"good-{i}"));
            compared += FaultRig.AssertExactlyOnce(Broker.BootstrapServers, goodTarget, partitions, records, source);
            log.WriteLine($"iteration {i}: byte {at} of {segment.Key} flipped; bad restore Failed (CorruptSegment) with {string.Join(",", written)} records written; healthy restore Completed");
        }
        log.WriteLine($"FIGURES corrupt-segment: corruptions={iterations} failedWithCorruptSegment={iterations} recordsOfCorruptSegmentsWritten=0 healthyRestoresCompleted={iterations} recordsCompared={compared}");
    }
}
