using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// A bigger restore with the backup in S3 (s3rver) under a prefix, credentials from secret files: many segments,
/// PITR with out-of-order timestamps, null values and offset headers together. The selection scenarios
/// (RestoreSelectionTests, RestoreEngineTests) run on S3 as well.
/// </summary>
public sealed class RestoreFromS3Tests(KafkaFixture kafka, S3rverFixture s3) : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    [Fact]
    public async Task A_backup_in_s3_restores_every_record_once_with_pitr_and_headers()
    {
        await _s.UseAsync(BackupBackend.S3, s3);

        var topic = kafka.Broker.CreateUniqueTopic("s3", 2);
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(topic, 0)] = [.. Enumerable.Range(0, 3000).Select(i => RestoreKit.Record(i, 10_000 + (i % 7 == 0 ? 100_000 : i), $"k{i}", $"v{i}"))],
            [(topic, 1)] = [.. Enumerable.Range(0, 1500).Select(i => RestoreKit.Record(i, 10_000 + i, $"k{i}", null))],
        };
        await _s.WriteBackupAsync(input, new Dictionary<string, int> { [topic] = 2 }, segmentRecords: 400);

        const long cutoff = 12_000;
        var result = await _s.RunAsync(_s.Restore(s => s with { Pitr = new PitrSpec(true, null, cutoff), IncludeOriginalOffsetHeader = true }));

        RestoreSelectionTests.AssertCompleted(result);
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 2);
        for (var p = 0; p < 2; p++)
        {
            var expected = input[(topic, p)].Where(r => r.Timestamp <= cutoff).ToList();
            var got = seen.Where(r => r.Partition == p).ToList();
            Assert.Equal(expected.Select(r => r.Key), got.Select(r => r.Key));
            Assert.Equal(expected.Select(r => r.Value), got.Select(r => r.Value));
            Assert.Equal(expected.Select(r => (long?)r.Offset), got.Select(r => OriginalOffsetHeaders.ReadInt64(r.Headers.Single(h => h.Key == "x-original-offset").Value!)));
        }
        Assert.Equal(seen.Count, result.RestoredRecords);
        Assert.True(result.RestoredRecords < 4500);
    }
}
