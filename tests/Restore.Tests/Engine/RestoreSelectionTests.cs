using System.Text;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// What gets restored: topics, renames, PITR, and records kept byte for byte (keys, values, headers).
/// The scenarios run with the backup in a folder and in S3 (s3rver), and kcat checks the target.
/// </summary>
public sealed class RestoreSelectionTests(KafkaFixture kafka, S3rverFixture s3) : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private static List<BackupRecord> Records(string tag, int count, long baseTs = 1_700_000_000_000) =>
        [.. Enumerable.Range(0, count).Select(i => RestoreKit.Record(i, baseTs + i, $"{tag}-k{i}", $"{tag}-v{i}"))];

    internal static void AssertCompleted(RestoreResult result)
    {
        Assert.True(result.Outcome == RestoreOutcome.Completed, $"{result.Outcome}: {result.Reason}: {result.Message}");
        Assert.All(result.Partitions, p => Assert.True(p.Verified, $"{p.TargetTopic}[{p.Partition}] wrote {p.Written}, selected {p.Selected}"));
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task The_topics_filter_restores_only_the_named_topics(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var orders = kafka.Broker.CreateUniqueTopic("orders", 1);
        var payments = kafka.Broker.CreateUniqueTopic("payments", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(orders, 0)] = Records("o", 50),
            [(payments, 0)] = Records("p", 30),
        }, new Dictionary<string, int> { [orders] = 1, [payments] = 1 });

        var result = await _s.RunAsync(_s.Restore(s => s with { Topics = new ValueList<string>([payments]) }));

        AssertCompleted(result);
        Assert.Equal(30, result.RestoredRecords);
        Assert.Equal([payments], result.Topics.Select(t => t.Name));
        Assert.Empty(Kcat.ReadTopic(kafka.Broker.BootstrapServers, orders));
        Assert.Equal(Records("p", 30).Select(r => Encoding.UTF8.GetString(r.Value!)),
            Kcat.ReadTopic(kafka.Broker.BootstrapServers, payments).Select(r => r.Value));
    }

    [Fact]
    public async Task A_topic_named_in_the_filter_but_missing_from_the_backup_fails_with_TopicNotInBackup()
    {
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [("orders", 0)] = Records("o", 5),
        }, new Dictionary<string, int> { ["orders"] = 1 });

        var result = await _s.RunAsync(_s.Restore(s => s with { Topics = new ValueList<string>(["orders", "invoices"]) }));

        Assert.Equal(RestoreOutcome.Failed, result.Outcome);
        Assert.Equal("TopicNotInBackup", result.Reason);
        Assert.Contains("'invoices'", result.Message, StringComparison.Ordinal);
        Assert.Contains(_s.BackupId, result.Message, StringComparison.Ordinal);
        Assert.Contains("the backup holds: orders", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task TopicMapping_restores_into_the_renamed_topic_keeping_partition_numbers(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var target = kafka.Broker.CreateUniqueTopic("restored-orders", 3);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [("orders", 1)] = Records("p1", 20),
            [("orders", 2)] = Records("p2", 10),
        }, new Dictionary<string, int> { ["orders"] = 3 });

        var result = await _s.RunAsync(_s.Restore(s => s with
        {
            TopicMapping = new ValueMap([new KeyValuePair<string, string>("orders", target)]),
        }));

        AssertCompleted(result);
        var topic = Assert.Single(result.Topics);
        Assert.Equal((target, "orders", 30L), (topic.Name, topic.SourceTopic, topic.Records));
        var seen = Kcat.ReadTopic(kafka.Broker.BootstrapServers, target);
        Assert.Equal(Enumerable.Repeat(1, 20).Concat(Enumerable.Repeat(2, 10)), seen.Select(r => r.Partition));
        Assert.Equal(Records("p1", 20).Select(r => Encoding.UTF8.GetString(r.Key!)), seen.Where(r => r.Partition == 1).Select(r => r.Key));
    }

    /// <summary>
    /// Timestamps out of order within segments: the first and last record of a segment are after the
    /// cutoff while records in between are before it, so no segment may be skipped on its bounds.
    /// </summary>
    private static List<BackupRecord> OutOfOrder()
    {
        long[] ts = [5000, 1000, 6000, 2000, 3000, 9000, /* segment 2 */ 7000, 2500, 4000, 8000, 4001, 8500, /* segment 3 */ 4000, 100];
        return [.. ts.Select((t, i) => RestoreKit.Record(10 + i, t, "k" + i, "v" + i))];
    }

    [Theory]
    [InlineData(true, BackupBackend.Filesystem)]
    [InlineData(false, BackupBackend.Filesystem)]
    [InlineData(true, BackupBackend.S3)]
    [InlineData(false, BackupBackend.S3)]
    public async Task Pitr_keeps_exactly_the_records_at_or_before_the_cutoff_even_out_of_order_within_a_segment(bool asMillis, BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var topic = kafka.Broker.CreateUniqueTopic("pitr", 1);
        var records = OutOfOrder();
        var manifest = await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = records },
            new Dictionary<string, int> { [topic] = 1 }, segmentRecords: 6);
        var segments = manifest.Topics[0].Partitions[0].Segments;
        Assert.Equal((5000L, 9000L), (segments[0].StartTimestamp, segments[0].EndTimestamp));
        Assert.Equal((7000L, 8500L), (segments[1].StartTimestamp, segments[1].EndTimestamp));

        const long cutoff = 4000;
        var pitr = asMillis
            ? new PitrSpec(true, null, cutoff)
            : new PitrSpec(true, DateTimeOffset.FromUnixTimeMilliseconds(cutoff), null);
        var result = await _s.RunAsync(_s.Restore(s => s with { Pitr = pitr, IncludeOriginalOffsetHeader = true }));

        AssertCompleted(result);
        var expected = records.Where(r => r.Timestamp <= cutoff).ToList();
        Assert.Equal(7, expected.Count);
        Assert.Equal(expected.Count, result.RestoredRecords);
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1);
        Assert.Equal(expected.Select(r => r.Timestamp), seen.Select(r => r.Timestamp));
        Assert.Equal(expected.Select(r => r.Key), seen.Select(r => r.Key));
        Assert.Equal(expected.Select(r => r.Offset), seen.Select(r => BitConverter.ToInt64(r.Headers.Single(h => h.Key == "x-original-offset").Value)));
        // kcat agrees: the same records, timestamps and original offsets (little-endian: the low byte comes first).
        var kcat = Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic);
        Assert.Equal(expected.Select(r => r.Timestamp), kcat.Select(r => r.Timestamp));
        Assert.Equal(expected.Select(r => Encoding.UTF8.GetString(r.Key!)), kcat.Select(r => r.Key));
        Assert.Equal(expected.Select(r => UpToNul(BitConverter.GetBytes(r.Offset))), kcat.Select(r => KcatBytes(r, "x-original-offset")));

        // The offset map has one run per stretch of consecutive kept source offsets.
        var map = Assert.Single(_s.State.GetOffsetMaps("default/restore"));
        Assert.Equal([new OffsetRun(11, 0, 1), new OffsetRun(13, 1, 2), new OffsetRun(17, 3, 2), new OffsetRun(22, 5, 2)], map.Runs);
        Assert.Equal(3, map.FirstTargetAtOrAfter(17));
        Assert.Equal(5, map.FirstTargetAtOrAfter(19));
        Assert.Null(map.FirstTargetAtOrAfter(24));
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem, RestoreProducerKind.Native)]
    [InlineData(BackupBackend.S3, RestoreProducerKind.Native)]
    [InlineData(BackupBackend.Filesystem, RestoreProducerKind.Confluent)]
    public async Task Null_and_empty_keys_values_and_header_values_duplicates_and_order_come_back_byte_exact(BackupBackend backend, RestoreProducerKind producer)
    {
        await _s.UseAsync(backend, s3);
        var topic = kafka.Broker.CreateUniqueTopic("bytes", 2);
        // Every byte value except kcat's field and record separators, so kcat can read it back too.
        var binary = Enumerable.Range(0, 256).Where(i => i is not 0x1e and not 0x1f).Select(i => (byte)i).ToArray();
        List<BackupRecord> records =
        [
            new() { Offset = 0, Timestamp = 1, Key = null, Value = null },
            new() { Offset = 1, Timestamp = 2, Key = [], Value = [] },
            new() { Offset = 2, Timestamp = 3, Key = binary, Value = binary, Headers = [new("h", null), new("h", []), new("h", [1, 2]), new("a", [0])] },
            new() { Offset = 5, Timestamp = 4, Key = [0], Value = null, Headers = [new("z", [9]), new("a", null)] },
            new() { Offset = 6, Timestamp = 5, Key = null, Value = new byte[100_000], Headers = [new("", [])] },
        ];
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 1)] = records },
            new Dictionary<string, int> { [topic] = 2 });

        var result = await _s.RunAsync(_s.Restore(), tuning: EngineScenario.FastTuning with { Producer = producer });

        AssertCompleted(result);
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 2);
        Assert.Equal(records.Count, seen.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(1, seen[i].Partition);
            Assert.Equal(records[i].Timestamp, seen[i].Timestamp);
            Assert.Equal(records[i].Key, seen[i].Key);
            Assert.Equal(records[i].Value, seen[i].Value);
            Assert.Equal(records[i].Headers.Select(h => (h.Key, h.Value)), seen[i].Headers);
        }
        // kcat, an independent client, agrees on nulls and headers.
        var kcat = Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic);
        Assert.Null(kcat[0].Key);
        Assert.Null(kcat[0].Value);
        Assert.Equal("", kcat[1].Key);
        Assert.Equal(4, kcat[2].Headers.Count);
        Assert.Equal(["h", "h", "h", "a"], kcat[2].Headers.Select(h => h.Key));
        Assert.Equal(("h", ""), kcat[2].Headers[1]);
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task Original_offset_headers_carry_offset_timestamp_partition_and_cluster_little_endian(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var topic = kafka.Broker.CreateUniqueTopic("headers", 3);
        var records = new List<BackupRecord>
        {
            RestoreKit.Record(41, 1_700_000_000_123, "a", "1", new BackupHeader("app", [7])),
            RestoreKit.Record(42, 1_700_000_000_124, "b", "2"),
        };
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 2)] = records },
            new Dictionary<string, int> { [topic] = 3 }, sourceClusterId: "manifest-cluster");

        var result = await _s.RunAsync(_s.Restore(s => s with { IncludeOriginalOffsetHeader = true }));

        AssertCompleted(result);
        var seen = RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 3);
        Assert.Equal(["app", "x-original-offset", "x-original-timestamp", "x-source-partition", "x-source-cluster"], seen[0].Headers.Select(h => h.Key));
        Assert.Equal(BitConverter.GetBytes(41L), seen[0].Headers[1].Value);
        Assert.Equal(BitConverter.GetBytes(1_700_000_000_123L), seen[0].Headers[2].Value);
        Assert.Equal(BitConverter.GetBytes(2), seen[0].Headers[3].Value);
        Assert.Equal("manifest-cluster"u8.ToArray(), seen[0].Headers[4].Value);
        Assert.Equal(BitConverter.GetBytes(42L), seen[1].Headers.Single(h => h.Key == "x-original-offset").Value);
        Assert.Equal(41, OriginalOffsetHeaders.ReadInt64(seen[0].Headers[1].Value));

        // kcat reads the same headers in the same order. It prints header values as C strings (up to the first zero byte),
        // so a little-endian 41 shows as ")" and a big-endian one would show as nothing.
        var kcat = Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic);
        Assert.Equal(["app", "x-original-offset", "x-original-timestamp", "x-source-partition", "x-source-cluster"], kcat[0].Headers.Select(h => h.Key));
        Assert.Equal(UpToNul(BitConverter.GetBytes(41L)), KcatBytes(kcat[0], "x-original-offset"));
        Assert.Equal(UpToNul(BitConverter.GetBytes(42L)), KcatBytes(kcat[1], "x-original-offset"));
        Assert.Equal(UpToNul(BitConverter.GetBytes(2)), KcatBytes(kcat[0], "x-source-partition"));
        Assert.Equal("manifest-cluster", kcat[0].Headers.Single(h => h.Key == "x-source-cluster").Value);
        Assert.All(kcat, r => Assert.Equal(2, r.Partition));
    }

    /// <summary>A header value as kcat printed it, back to bytes (exact for values whose bytes are all below 0x80).</summary>
    private static byte[] KcatBytes(KcatRecord record, string header) => Encoding.UTF8.GetBytes(record.Headers.Single(h => h.Key == header).Value!);

    /// <summary>What kcat prints of a binary header value: the bytes before the first zero byte.</summary>
    private static byte[] UpToNul(byte[] value) => [.. value.TakeWhile(b => b != 0)];

    [Fact]
    public async Task OffsetReset_sourceCluster_names_the_cluster_and_without_any_cluster_the_header_is_left_out()
    {
        var named = kafka.Broker.CreateUniqueTopic("named", 1);
        var unnamed = kafka.Broker.CreateUniqueTopic("unnamed", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(named, 0)] = [RestoreKit.Record(0, 1, "k", "v")],
            [(unnamed, 0)] = [RestoreKit.Record(0, 1, "k", "v")],
        }, new Dictionary<string, int> { [named] = 1, [unnamed] = 1 }, sourceClusterId: null);

        var reset = new OffsetResetSpec(false, OffsetResetStrategy.HeaderBased, "production-us-west-2", ValueList<string>.Empty, null, null);
        AssertCompleted(await _s.RunAsync(_s.Restore(s => s with
        {
            IncludeOriginalOffsetHeader = true,
            OffsetReset = reset,
            Topics = new ValueList<string>([named]),
        }), restoreKey: "default/named"));
        AssertCompleted(await _s.RunAsync(_s.Restore(s => s with
        {
            IncludeOriginalOffsetHeader = true,
            Topics = new ValueList<string>([unnamed]),
        }), restoreKey: "default/unnamed"));

        var withCluster = Assert.Single(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, named, 1));
        Assert.Equal("production-us-west-2"u8.ToArray(), withCluster.Headers.Single(h => h.Key == "x-source-cluster").Value);
        var without = Assert.Single(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, unnamed, 1));
        Assert.Equal(["x-original-offset", "x-original-timestamp", "x-source-partition"], without.Headers.Select(h => h.Key));
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task A_backup_that_already_carries_offset_headers_keeps_one_copy_of_each(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var topic = kafka.Broker.CreateUniqueTopic("carried", 1);
        // Taken from a cluster that was itself restored: the records carry the headers already (as text, even).
        var records = new List<BackupRecord>
        {
            RestoreKit.Record(7, 100, "k", "v",
                new BackupHeader("x-original-offset", "3"u8.ToArray()),
                new BackupHeader("keep", [1]),
                new BackupHeader("x-original-timestamp", BitConverter.GetBytes(50L)),
                new BackupHeader("x-source-partition", BitConverter.GetBytes(0)),
                new BackupHeader("x-source-cluster", "older-cluster"u8.ToArray())),
        };
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = records },
            new Dictionary<string, int> { [topic] = 1 }, sourceClusterId: "backup-cluster");

        AssertCompleted(await _s.RunAsync(_s.Restore(s => s with { IncludeOriginalOffsetHeader = true })));
        var on = Assert.Single(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1));
        Assert.Equal(["keep", "x-original-offset", "x-original-timestamp", "x-source-partition", "x-source-cluster"], on.Headers.Select(h => h.Key));
        Assert.Equal(BitConverter.GetBytes(7L), on.Headers[1].Value);
        Assert.Equal("backup-cluster"u8.ToArray(), on.Headers[4].Value);
        var kcatOn = Assert.Single(Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic));
        Assert.Equal(["keep", "x-original-offset", "x-original-timestamp", "x-source-partition", "x-source-cluster"], kcatOn.Headers.Select(h => h.Key));
        Assert.Equal(UpToNul(BitConverter.GetBytes(7L)), KcatBytes(kcatOn, "x-original-offset"));

        // Headers off: the stored headers come back exactly as stored.
        var plain = kafka.Broker.CreateUniqueTopic("carried-off", 1);
        AssertCompleted(await _s.RunAsync(_s.Restore(s => s with
        {
            TopicMapping = new ValueMap([new KeyValuePair<string, string>(topic, plain)]),
        }), restoreKey: "default/off"));
        var off = Assert.Single(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, plain, 1));
        Assert.Equal(records[0].Headers.Select(h => (h.Key, h.Value)), off.Headers);
        var kcatOff = Assert.Single(Kcat.ReadTopic(kafka.Broker.BootstrapServers, plain));
        Assert.Equal(records[0].Headers.Select(h => h.Key), kcatOff.Headers.Select(h => h.Key));
        Assert.Equal("3", kcatOff.Headers.Single(h => h.Key == "x-original-offset").Value);
        Assert.Equal("older-cluster", kcatOff.Headers.Single(h => h.Key == "x-source-cluster").Value);
    }

    [Theory]
    [InlineData(BackupBackend.Filesystem)]
    [InlineData(BackupBackend.S3)]
    public async Task Gaps_in_the_backup_are_reported_and_the_restore_completes(BackupBackend backend)
    {
        await _s.UseAsync(backend, s3);
        var topic = kafka.Broker.CreateUniqueTopic("gaps", 2);
        var records = new List<BackupRecord> { RestoreKit.Record(100, 1, "a", "1"), RestoreKit.Record(101, 2, "b", "2") };
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [(topic, 0)] = records },
            new Dictionary<string, int> { [topic] = 2 },
            gaps: new Dictionary<(string, int), IReadOnlyList<BackupGap>>
            {
                [(topic, 0)] = [new BackupGap(0, 100, "deleted by retention", 1_700_000_000_000)],
                [(topic, 1)] = [new BackupGap(0, 40, "deleted by retention", 1_700_000_000_000)],
            });

        var result = await _s.RunAsync(_s.Restore());

        AssertCompleted(result);
        Assert.Equal(2, result.RestoredRecords);
        Assert.Equal(2, result.Gaps.Count);
        Assert.Contains(new GapReport(topic, topic, 0, 0, 100, "deleted by retention"), result.Gaps);
        Assert.Contains(new GapReport(topic, topic, 1, 0, 40, "deleted by retention"), result.Gaps);
        Assert.Contains("2 gaps", result.Message, StringComparison.Ordinal);
        Assert.Equal(2, Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic).Count);
    }
}
