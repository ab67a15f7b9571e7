using System.Text.Json;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Backups.Writing;
using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Tests.Backups.Kbak;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Backups;

public sealed class BackupWriterTests : IDisposable
{
    private readonly TempDir _dir = new("kr-bw");
    private readonly FilesystemBackupStorage _storage;

    public BackupWriterTests() => _storage = new FilesystemBackupStorage(_dir.Path);

    public void Dispose() => _dir.Dispose();

    private static BackupRecord Rec(long offset, long ts, int size = 10) => new()
    {
        Offset = offset,
        Timestamp = ts,
        Key = offset % 3 == 0 ? null : BitConverter.GetBytes(offset),
        Value = offset % 5 == 0 ? null : new byte[size],
        Headers = offset % 2 == 0 ? [new("a", null), new("a", [])] : [],
    };

    [Theory]
    [InlineData(BackupCompression.None)]
    [InlineData(BackupCompression.Zstd)]
    [InlineData(BackupCompression.Lz4)]
    public async Task A_backup_reads_back_record_for_record_with_segments_rotated_by_count(BackupCompression compression)
    {
        var input = new Dictionary<(string, int), List<BackupRecord>>
        {
            [("orders", 0)] = Enumerable.Range(0, 25).Select(i => Rec(i, 1000 + (i * 7 % 11))).ToList(),
            [("orders", 2)] = Enumerable.Range(0, 3).Select(i => Rec(50 + (i * 2), 5000 - i)).ToList(),
            [("users", 0)] = [Rec(7, 1)],
        };
        var timeProvider = new FixedTime(DateTimeOffset.FromUnixTimeMilliseconds(1_234_567));
        await using (var writer = new BackupWriter(_storage, "b1", compression,
            new BackupWriterOptions { MaxSegmentRecords = 10, TimeProvider = timeProvider }))
        {
            // Interleave partitions the way a consumer delivers them.
            for (var i = 0; i < 25; i++)
            {
                foreach (var ((t, p), records) in input)
                    if (i < records.Count) await writer.AppendAsync(t, p, records[i], CancellationToken.None);
            }
            var returned = await writer.CompleteAsync(
                new Dictionary<string, int> { ["orders"] = 3, ["users"] = 1, ["empty"] = 2 },
                "cluster-1", ["k1:9092"], null,
                new Dictionary<(string, int), IReadOnlyList<BackupGap>> { [("orders", 1)] = [new BackupGap(0, 40, "deleted by retention", 99)] },
                CancellationToken.None);
            Assert.Equal(1_234_567, returned.CreatedAt);
        }

        var manifest = await BackupManifestStore.ReadAsync(_storage, "b1", CancellationToken.None);
        Assert.Equal("b1", manifest.BackupId);
        Assert.Equal(compression.ManifestName(), manifest.Compression);
        Assert.Equal(["empty", "orders", "users"], manifest.Topics.Select(t => t.Name));
        var orders = manifest.Topics.Single(t => t.Name == "orders");
        Assert.Equal(3, orders.OriginalPartitionCount);
        Assert.Equal([0, 1, 2], orders.Partitions.Select(p => p.PartitionId));
        Assert.Equal([0L, 10, 20], orders.Partitions[0].Segments.Select(s => s.StartOffset));
        Assert.Equal([9L, 19, 24], orders.Partitions[0].Segments.Select(s => s.EndOffset));
        Assert.Equal($"b1/topics/orders/partition=0/segment-00000000000000000010{compression.SegmentExtension()}", orders.Partitions[0].Segments[1].Key);
        Assert.Empty(orders.Partitions[1].Segments);
        Assert.Equal(new BackupGap(0, 40, "deleted by retention", 99), Assert.Single(orders.Partitions[1].Gaps!));
        Assert.Null(orders.Partitions[0].Gaps);
        // First and last record in offset order, not min and max.
        var p2 = Assert.Single(orders.Partitions[2].Segments);
        Assert.Equal((5000L, 4998L, 3L), (p2.StartTimestamp, p2.EndTimestamp, p2.RecordCount));
        Assert.Equal(2, manifest.Topics.Single(t => t.Name == "empty").Partitions.Count);

        foreach (var ((t, p), records) in input)
        {
            var read = new List<BackupRecord>();
            var partition = manifest.Topics.Single(x => x.Name == t).Partitions.Single(x => x.PartitionId == p);
            foreach (var segment in partition.Segments)
            {
                await foreach (var r in SegmentReader.ReadAsync(_storage, segment.Key, CancellationToken.None)) read.Add(r);
                var summary = await SegmentReader.VerifyAsync(_storage, segment.Key, CancellationToken.None);
                Assert.Equal((segment.RecordCount, segment.UncompressedSize, segment.CompressedSize),
                    (summary.RecordCount, summary.UncompressedSize, summary.ObjectSize));
                Assert.Equal(new FileInfo(_storage.Describe(segment.Key)).Length, segment.CompressedSize);
            }
            Assert.Equal(records.Select(HandBuiltSegment.Show), read.Select(HandBuiltSegment.Show));
        }
    }

    [Fact]
    public async Task Segments_rotate_by_size()
    {
        await using var writer = new BackupWriter(_storage, "b2", BackupCompression.None, new BackupWriterOptions { MaxSegmentBytes = 1000 });
        for (var i = 0; i < 50; i++) await writer.AppendAsync("t", 0, Rec(i, i, size: 90), CancellationToken.None);
        var manifest = await writer.CompleteAsync(new Dictionary<string, int> { ["t"] = 1 }, null, [], null, null, CancellationToken.None);

        var segments = manifest.Topics[0].Partitions[0].Segments;
        Assert.True(segments.Count >= 4, $"{segments.Count} segments");
        Assert.All(segments.SkipLast(1), s => Assert.InRange(s.UncompressedSize, 1000, 1200));
        Assert.Equal(50, segments.Sum(s => s.RecordCount));
    }

    [Fact]
    public async Task The_manifest_is_snake_case_json_as_in_the_spec()
    {
        await using (var writer = new BackupWriter(_storage, "b3", BackupCompression.Zstd))
        {
            await writer.AppendAsync("t", 0, Rec(1, 2), CancellationToken.None);
            await writer.CompleteAsync(new Dictionary<string, int> { ["t"] = 1 }, null, ["a:1"], null, null, CancellationToken.None);
        }
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(_dir.Combine("b3", "manifest.json")));
        var root = doc.RootElement;
        Assert.Equal(["backup_id", "created_at", "source_cluster_id", "source_brokers", "compression", "topics"],
            root.EnumerateObject().Select(p => p.Name));
        var topic = root.GetProperty("topics")[0];
        Assert.Equal(["name", "original_partition_count", "partitions"], topic.EnumerateObject().Select(p => p.Name));
        var segment = topic.GetProperty("partitions")[0].GetProperty("segments")[0];
        Assert.Equal(["key", "start_offset", "end_offset", "start_timestamp", "end_timestamp", "record_count", "uncompressed_size", "compressed_size"],
            segment.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("source_cluster_id").ValueKind);
    }

    [Fact]
    public async Task A_manifest_from_another_writer_with_unknown_fields_and_no_gaps_reads()
    {
        const string json = """
            {"backup_id":"ext","created_at":1700000000000,"source_cluster_id":"abc","source_brokers":["b:9092"],
             "compression":"lz4","future_field":{"x":1},
             "topics":[{"name":"t","original_partition_count":null,"extra":true,
               "partitions":[{"partition_id":0,"segments":[{"key":"ext/topics/t/partition=0/segment-00000000000000000000.bin.lz4",
                 "start_offset":0,"end_offset":9,"start_timestamp":5,"end_timestamp":4,"record_count":10,
                 "uncompressed_size":100,"compressed_size":80,"checksum":"x"}]},
                 {"partition_id":1,"segments":[],"gaps":[{"start_offset":0,"end_offset":5,"reason":null,"detected_at":null}]}]}]}
            """;
        await _storage.WriteAsync("ext/manifest.json", new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)), CancellationToken.None);

        var m = await BackupManifestStore.ReadAsync(_storage, "ext", CancellationToken.None);

        Assert.Equal("abc", m.SourceClusterId);
        Assert.Null(m.Topics[0].OriginalPartitionCount);
        Assert.Null(m.Topics[0].Partitions[0].Gaps);
        Assert.Equal(new SegmentInfo("ext/topics/t/partition=0/segment-00000000000000000000.bin.lz4", 0, 9, 5, 4, 10, 100, 80),
            m.Topics[0].Partitions[0].Segments[0]);
        Assert.Equal(new BackupGap(0, 5, null, null), m.Topics[0].Partitions[1].Gaps![0]);
    }

    [Fact]
    public async Task A_missing_manifest_is_BackupNotFound_naming_where_it_looked()
    {
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => BackupManifestStore.ReadAsync(_storage, "nope", CancellationToken.None));
        Assert.Equal("BackupNotFound", e.Reason);
        Assert.Contains(_dir.Combine("nope", "manifest.json"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_manifest_that_is_not_json_is_InvalidBackupManifest()
    {
        await _storage.WriteAsync("bad/manifest.json", new MemoryStream("{nope"u8.ToArray()), CancellationToken.None);
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(() => BackupManifestStore.ReadAsync(_storage, "bad", CancellationToken.None));
        Assert.Equal("InvalidBackupManifest", e.Reason);
        Assert.Contains(_dir.Combine("bad", "manifest.json"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_consumer_group_snapshot_round_trips_and_is_null_when_absent()
    {
        Assert.Null(await ConsumerGroupSnapshotStore.TryReadAsync(_storage, "b4", CancellationToken.None));
        var snapshot = new ConsumerGroupSnapshot(42, [new GroupOffsets("g1",
            new Dictionary<string, IReadOnlyDictionary<string, long>> { ["orders"] = new Dictionary<string, long> { ["0"] = 10, ["2"] = 7 } })]);
        await using (var writer = new BackupWriter(_storage, "b4", BackupCompression.None))
            await writer.CompleteAsync(new Dictionary<string, int>(), null, [], snapshot, null, CancellationToken.None);

        var json = await File.ReadAllTextAsync(_dir.Combine("b4", "consumer-groups-snapshot.json"));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(10, doc.RootElement.GetProperty("groups")[0].GetProperty("offsets").GetProperty("orders").GetProperty("0").GetInt64());
        Assert.Equal(42, doc.RootElement.GetProperty("snapshot_time").GetInt64());
        var read = await ConsumerGroupSnapshotStore.TryReadAsync(_storage, "b4", CancellationToken.None);
        Assert.Equal("g1", read!.Groups[0].GroupId);
        Assert.Equal(7, read.Groups[0].Offsets["orders"]["2"]);
    }

    [Fact]
    public async Task An_existing_backup_id_is_refused()
    {
        await using (var first = new BackupWriter(_storage, "dup", BackupCompression.None))
            await first.CompleteAsync(new Dictionary<string, int>(), null, [], null, null, CancellationToken.None);
        await _storage.WriteAsync("partial/topics/t/partition=0/segment-00000000000000000000.bin", new MemoryStream([0]), CancellationToken.None);

        await using var second = new BackupWriter(_storage, "dup", BackupCompression.None);
        var e = await Assert.ThrowsAsync<KafkaRestoredException>(async () => await second.AppendAsync("t", 0, Rec(0, 0), CancellationToken.None));
        Assert.Equal("BackupExists", e.Reason);
        Assert.Contains(_dir.Combine("dup", "manifest.json"), e.Message, StringComparison.Ordinal);
        await using var third = new BackupWriter(_storage, "partial", BackupCompression.None);
        var e2 = await Assert.ThrowsAsync<KafkaRestoredException>(() => third.EnsureNewAsync(CancellationToken.None));
        Assert.Equal("BackupExists", e2.Reason);
    }

    [Fact]
    public async Task Records_of_a_partition_out_of_offset_order_are_rejected()
    {
        await using var writer = new BackupWriter(_storage, "b5", BackupCompression.None);
        await writer.AppendAsync("t", 0, Rec(5, 0), CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentException>(async () => await writer.AppendAsync("t", 0, Rec(5, 0), CancellationToken.None));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
