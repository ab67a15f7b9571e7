using System.Text;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// A segment bigger than the half of the read-ahead that holds segments until they are checked: it is read twice,
/// checked in full and then streamed, so it restores every record once in order, and a corrupt byte near its end
/// still writes none of it. Mutation testing found no test reaching this path (the engine tests' segments all fit).
/// </summary>
public sealed class BigSegmentTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    // One segment of 12,000 records of about 330 bytes (~4 MB) against an 8 MiB budget on one worker: 4 MiB of
    // read-ahead, half of which holds segments.
    private const int Records = 12_000;

    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private async Task<(string Topic, string SegmentPath, List<BackupRecord> Input)> BackupAsync(string name)
    {
        var topic = kafka.Broker.CreateUniqueTopic(name, 1);
        var padding = new string('.', 300);
        var input = Enumerable.Range(0, Records).Select(i => RestoreKit.Record(i, 1_000_000 + i, $"k{i}", $"v{i}{padding}")).ToList();
        var manifest = await RestoreKit.WriteBackupAsync(_s.Storage, _s.BackupId, new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = input },
            new Dictionary<string, int> { [topic] = 1 }, segmentRecords: Records, compression: BackupCompression.None);
        var segment = manifest.Topics.Single().Partitions.Single().Segments.Single();
        var budget = RestoreBudget.From(new ResourcesSpec(null, new ResourceQuantities(1000, RestoreBudget.MinimumMemoryBytes)));
        Assert.True(segment.UncompressedSize > budget.ReadAheadBytesPerWorker / 2,
            $"the segment ({segment.UncompressedSize} bytes) fits the hold ({budget.ReadAheadBytesPerWorker / 2} bytes): the test would not reach the streamed path");
        return (topic, _s.Path("backups", segment.Key), input);
    }

    private KafkaRestore Restore() =>
        _s.Restore(s => s with { Resources = new ResourcesSpec(null, new ResourceQuantities(1000, RestoreBudget.MinimumMemoryBytes)) });

    [Fact]
    public async Task A_segment_too_big_to_hold_is_checked_then_streamed_and_restores_every_record_once_in_order()
    {
        var (topic, _, input) = await BackupAsync("big");

        var result = await _s.RunAsync(Restore());

        RestoreSelectionTests.AssertCompleted(result);
        var keys = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1).Select(r => Encoding.UTF8.GetString(r.Key!)).ToList();
        Assert.Equal(input.Select(r => Encoding.UTF8.GetString(r.Key!)), keys);
    }

    [Fact]
    public async Task A_corrupt_byte_near_the_end_of_a_segment_too_big_to_hold_writes_none_of_it()
    {
        var (topic, path, _) = await BackupAsync("big-corrupt");
        var bytes = await File.ReadAllBytesAsync(path);
        // In the last records' values (uncompressed), well past what the hold could take before the check.
        var at = bytes.Length - 2_000;
        bytes[at] ^= 0x20;
        await File.WriteAllBytesAsync(path, bytes);

        var result = await _s.RunAsync(Restore());

        Assert.Equal((RestoreOutcome.Failed, "CorruptSegment"), (result.Outcome, result.Reason));
        Assert.Equal([0L], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 1));
    }
}
