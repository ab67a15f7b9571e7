using System.Text.Json.Nodes;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// A manifest whose segments of one partition overlap (each segment sound on its own, so only the order across them is
/// wrong) fails the restore with CorruptSegment naming the offsets and the segment, and writes nothing from the
/// offending segment. Mutation testing found no test reached this check, and that a check of "less than" alone (a
/// repeated offset passing) survived.
/// </summary>
public sealed class OverlappingSegmentsTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private static List<BackupRecord> Records(long first, int count) =>
        [.. Enumerable.Range(0, count).Select(i => RestoreKit.Record(first + i, 1_000_000 + first + i, $"k{first + i}", $"v{first + i}"))];

    [Theory]
    // The second segment starts at the first one's last offset: one offset repeated.
    [InlineData(9)]
    // ... or well inside it.
    [InlineData(4)]
    public async Task Overlapping_segments_of_a_partition_fail_with_CorruptSegment_before_the_second_one_is_written(long secondStart)
    {
        var topic = kafka.Broker.CreateUniqueTopic("overlap", 1);
        var counts = new Dictionary<string, int> { [topic] = 1 };
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = Records(0, 10) }, counts, segmentRecords: 10);
        // A second, sound segment from another backup, copied into this backup's folder and listed after the first.
        const string other = "other-backup";
        var otherManifest = await RestoreKit.WriteBackupAsync(_s.Storage, other,
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = Records(secondStart, 10) }, counts, segmentRecords: 10);
        var otherKey = otherManifest.Topics.Single().Partitions.Single().Segments.Single().Key;
        var key = _s.BackupId + otherKey[other.Length..].Replace("segment-", "segment-overlap-", StringComparison.Ordinal);
        File.Copy(_s.Path("backups", otherKey), _s.Path("backups", key));
        var manifestPath = _s.Path("backups", _s.BackupId, "manifest.json");
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath))!;
        var segments = manifest["topics"]![0]!["partitions"]![0]!["segments"]!.AsArray();
        var copied = JsonNode.Parse(JsonNode.Parse(await File.ReadAllTextAsync(_s.Path("backups", other, "manifest.json")))!["topics"]![0]!["partitions"]![0]!["segments"]![0]!.ToJsonString())!;
        copied["key"] = key;
        segments.Add(copied);
        await File.WriteAllTextAsync(manifestPath, manifest.ToJsonString());

        var result = await _s.RunAsync(_s.Restore());

        Assert.Equal((RestoreOutcome.Failed, "CorruptSegment"), (result.Outcome, result.Reason));
        Assert.Contains($"backup partition {topic}[0] is not in offset order: offset {secondStart} follows 9 in ", result.Message, StringComparison.Ordinal);
        Assert.Contains(key, result.Message, StringComparison.Ordinal);
        Assert.Contains("the manifest lists overlapping segments", result.Message, StringComparison.Ordinal);
        // The first segment's ten records at most; none of the second's.
        var landed = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1).Select(r => System.Text.Encoding.UTF8.GetString(r.Key!)).ToList();
        Assert.Equal(Enumerable.Range(0, landed.Count).Select(i => $"k{i}"), landed);
        Assert.InRange(landed.Count, 0, 10);
    }
}
