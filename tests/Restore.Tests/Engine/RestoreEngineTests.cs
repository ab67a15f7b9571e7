using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>A full restore, with the backup in a folder and in S3 (s3rver), checked with kcat.</summary>
public sealed class RestoreEngineTests(KafkaFixture kafka, S3rverFixture s3) : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private static List<BackupRecord> Records(int partition, int count, long firstOffset = 0, long baseTs = 1_700_000_000_000) =>
        [.. Enumerable.Range(0, count).Select(i => RestoreKit.Record(firstOffset + i, baseTs + i, $"k-{partition}-{i}", $"v-{partition}-{i}-{new string('x', i % 50)}"))];

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task A_full_restore_writes_every_record_once_in_order_with_partition_timestamp_key_and_value(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var topic = kafka.Broker.CreateUniqueTopic("full", 3);
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = Records(0, 2500),
            [(topic, 1)] = Records(1, 10, firstOffset: 100),
            [(topic, 2)] = Records(2, 1200),
        };
        await _s.WriteBackupAsync(input, new Dictionary<string, int> { [topic] = 3 }, segmentRecords: 700);

        var progress = new List<RestoreProgressUpdate>();
        var result = await _s.RunAsync(_s.Restore(), progress: new SyncProgress(progress.Add));

        Assert.Equal(RestoreOutcome.Completed, result.Outcome);
        Assert.Equal(RestoreResult.CompletedReason, result.Reason);
        Assert.Equal(3710, result.RestoredRecords);
        Assert.Equal(3710, Assert.Single(result.Topics).Records);
        Assert.All(result.Partitions, p => Assert.True(p.Verified));
        Assert.Equal([2500L, 10, 1200], result.Partitions.OrderBy(p => p.Partition).Select(p => p.Written));

        var seen = Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic);
        Assert.Equal(3710, seen.Count);
        foreach (var ((_, partition), records) in input)
        {
            var got = seen.Where(r => r.Partition == partition).ToList();
            Assert.Equal(records.Select(r => Encoding.UTF8.GetString(r.Key!)), got.Select(r => r.Key));
            Assert.Equal(records.Select(r => Encoding.UTF8.GetString(r.Value!)), got.Select(r => r.Value));
            Assert.Equal(records.Select(r => r.Timestamp), got.Select(r => r.Timestamp));
            Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), got.Select(r => r.Offset));
            Assert.All(got, r => Assert.Empty(r.Headers));
        }
        var consumed = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 3);
        Assert.All(consumed, r => Assert.Equal(TimestampType.CreateTime, r.TimestampType));

        Assert.Contains(progress, p => p.Stage == RestoreStage.Restoring);
        Assert.Equal(3710, progress[^1].Progress.RecordsDone);
        Assert.Equal(3710, progress[^1].Progress.RecordsTotal);
        // Per partition for the live views: each partition's records done of its total, summing to the topic's.
        Assert.Equal([(topic, 0, 2500L, 2500L), (topic, 1, 10, 10), (topic, 2, 1200, 1200)],
            progress[^1].Partitions.OrderBy(p => p.Partition).Select(p => (p.Topic, p.Partition, p.RecordsDone, p.RecordsTotal)));
        Assert.Equal(progress[^1].Progress.BytesDone, progress[^1].Partitions.Sum(p => p.BytesDone));

        var maps = _s.State.GetOffsetMaps("default/restore");
        var map1 = maps.Single(m => m.Partition == 1);
        Assert.Equal([new OffsetRun(100, 0, 10)], map1.Runs);
    }

    [Fact]
    public async Task A_record_someone_else_writes_during_the_restore_fails_verification_for_that_partition()
    {
        var topic = kafka.Broker.CreateUniqueTopic("verify", 2);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = Records(0, 50),
            [(topic, 1)] = Records(1, 50),
        }, new Dictionary<string, int> { [topic] = 2 });

        // After preflight found the partitions empty and before anything is verified, another producer writes to partition 1.
        var intruded = false;
        var progress = new SyncProgress(u =>
        {
            if (u.Stage != RestoreStage.Restoring || intruded) return;
            intruded = true;
            Kcat.Produce(kafka.Broker.BootstrapServers, topic, 1, [("intruder", "x")]);
        });
        var result = await _s.RunAsync(_s.Restore(), progress: progress);

        Assert.True(intruded);
        Assert.Equal((RestoreOutcome.Failed, "VerificationFailed"), (result.Outcome, result.Reason));
        Assert.Contains($"{topic}[1] holds 51 records since offset 0 but the backup selects 50", result.Message, StringComparison.Ordinal);
        Assert.Contains("empty the topics and restore again", result.Message, StringComparison.Ordinal);
        var bad = Assert.Single(result.Partitions, p => !p.Verified);
        Assert.Equal((1, 50L, 51L), (bad.Partition, bad.Selected, bad.Written));
        Assert.True(result.Partitions.Single(p => p.Partition == 0).Verified);
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool and may reorder).</summary>
    private sealed class SyncProgress(Action<RestoreProgressUpdate> report) : IProgress<RestoreProgressUpdate>
    {
        private readonly Lock _gate = new();

        public void Report(RestoreProgressUpdate value)
        {
            lock (_gate) report(value);
        }
    }
}
