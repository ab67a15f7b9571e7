using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>headerBased (SPEC 3.4): source committed offsets translated through the offset map or the x-original-offset headers.</summary>
public sealed class HeaderBasedResetTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly OffsetTestKit _kit = new(kafka.Broker.BootstrapServers);

    public void Dispose() => _kit.Dispose();

    private OffsetResetter Resetter() => new(_kit.Cluster, new SecretStore(null)) { Timeout = TimeSpan.FromSeconds(10) };

    private static string Group(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    /// <summary>
    /// Source topic "orders" restored into a new target topic (renamed): partition 0 holds source
    /// offsets 10–14 and 20–24 (15–19 were a gap in the backup; PITR cut 25 and later) at target
    /// offsets 0–9; partition 1 holds source offsets 0–4 at target 0–4.
    /// </summary>
    private (string Target, PartitionOffsetMap[] Maps) RestoredOrders()
    {
        var target = kafka.Broker.CreateUniqueTopic("restored-orders", 2);
        var map0 = _kit.Restore("orders", target, 0, [.. Enumerable.Range(10, 5).Select(i => (long)i), .. Enumerable.Range(20, 5).Select(i => (long)i)]);
        var map1 = _kit.Restore("orders", target, 1, [0, 1, 2, 3, 4]);
        return (target, [map0, map1]);
    }

    /// <summary>Source positions on partition 0 covering every case, and position 2 on partition 1.</summary>
    private static (SourceCommittedOffsets Source, Dictionary<string, long[]> Expected) Positions(params string[] groups)
    {
        // atRecord: C=12 is restored at target 2. inGap: C=17 → first restored ≥ 17 is 20, at target 5.
        // beyondLast: C=28 (cut by PITR) → target end offset 10. beforeFirst: C=3 → target 0.
        // exactEnd: C=25, one past the last restored → end offset 10.
        long[] sourceP0 = [12, 17, 28, 3, 25];
        long[][] expected = [[2, 2], [5, 2], [10, 2], [0, 2], [10, 2]];
        var rows = groups.SelectMany((g, i) => new[] { (g, "orders", 0, sourceP0[i]), (g, "orders", 1, 2L) });
        return (new SourceCommittedOffsets(rows), groups.Select((g, i) => (g, expected[i])).ToDictionary(x => x.g, x => x.Item2));
    }

    [Fact]
    public async Task The_offset_map_and_the_header_scan_give_the_same_positions_at_a_record_in_a_gap_beyond_the_last_and_before_the_first()
    {
        var (target, maps) = RestoredOrders();
        string[] viaMap = [Group("at"), Group("gap"), Group("beyond"), Group("before"), Group("end")];
        string[] viaScan = [Group("at"), Group("gap"), Group("beyond"), Group("before"), Group("end")];
        var (sourceMap, expectedMap) = Positions(viaMap);
        var (sourceScan, expectedScan) = Positions(viaScan);

        var withMap = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = viaMap,
            OffsetMaps = maps,
            SourceOffsets = sourceMap,
            TopicMapping = new ValueMap([new("orders", target)]),
        }, CancellationToken.None);
        var withScan = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = viaScan,
            Topics = [target],
            SourceOffsets = sourceScan,
            TopicMapping = new ValueMap([new("orders", target)]),
            SourceCluster = "src-a",
        }, CancellationToken.None);

        Assert.Empty(withMap.GroupsFailed);
        Assert.Empty(withScan.GroupsFailed);
        for (var i = 0; i < viaMap.Length; i++)
        {
            var fromMap = await _kit.CommittedAsync(viaMap[i], target, 2);
            var fromScan = await _kit.CommittedAsync(viaScan[i], target, 2);
            Assert.Equal(expectedMap[viaMap[i]].Select(x => (long?)x), fromMap);
            Assert.Equal(fromMap, fromScan);
        }
    }

    [Fact]
    public async Task Without_topics_or_maps_the_scope_comes_from_the_groups_source_topics_through_topicMapping()
    {
        var (target, _) = RestoredOrders();
        var group = Group("derived");
        var source = new SourceCommittedOffsets([(group, "orders", 0, 21L), (group, "orders", 1, 4L), (group, "payments", 0, 7L)]);

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [group],
            SourceOffsets = source,
            TopicMapping = new ValueMap([new("orders", target)]),
        }, CancellationToken.None);

        Assert.Equal([group], result.GroupsReset);
        Assert.Equal([6L, 4L], await _kit.CommittedAsync(group, target, 2));
        Assert.Contains(result.Notes, n => n.Contains("'payments'") && n.Contains("does not exist"));
    }

    [Fact]
    public async Task Decimal_text_offset_headers_are_read_like_binary_ones()
    {
        var target = kafka.Broker.CreateUniqueTopic("text-headers", 1);
        _kit.Restore("events", target, 0, [5, 6, 9, 10], textHeader: true);
        var group = Group("text");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [group],
            Topics = [target],
            SourceOffsets = new SourceCommittedOffsets([(group, target, 0, 8L)]),
        }, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal([2L], await _kit.CommittedAsync(group, target, 1));
    }

    [Fact]
    public async Task The_header_scan_keeps_only_the_named_source_clusters_records()
    {
        var target = kafka.Broker.CreateUniqueTopic("two-sources", 1);
        _kit.Restore("orders", target, 0, [100, 101, 102], sourceCluster: "src-b");
        _kit.Restore("orders", target, 0, [0, 1, 2, 3], sourceCluster: "src-a");
        var filtered = Group("filtered");
        var unfiltered = Group("unfiltered");
        var source = new SourceCommittedOffsets([(filtered, target, 0, 2L), (unfiltered, target, 0, 2L)]);

        var good = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [filtered],
            Topics = [target],
            SourceOffsets = source,
            SourceCluster = "src-a",
        }, CancellationToken.None);
        var bad = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [unfiltered],
            Topics = [target],
            SourceOffsets = source,
        }, CancellationToken.None);

        Assert.True(good.Succeeded);
        Assert.Equal([5L], await _kit.CommittedAsync(filtered, target, 1));
        // Without the filter the partition holds source offsets 100.. then 0..: no single answer.
        var failure = Assert.Single(bad.GroupsFailed);
        Assert.Equal("OffsetHeadersOutOfOrder", failure.Reason);
        Assert.Contains("sourceCluster", failure.Message);
        Assert.Equal([null], await _kit.CommittedAsync(unfiltered, target, 1));
    }

    [Fact]
    public async Task A_group_missing_from_the_snapshot_fails_alone_with_a_clear_message()
    {
        var (target, maps) = RestoredOrders();
        var known = Group("known");
        var unknown = Group("unknown");
        await _kit.CommitAsync(unknown, (target, 0, 1));

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [known, unknown],
            OffsetMaps = maps,
            SourceOffsets = new SourceCommittedOffsets([(known, "orders", 0, 20L), (known, "orders", 1, 0L)]),
        }, CancellationToken.None);

        Assert.Equal([known], result.GroupsReset);
        var failure = Assert.Single(result.GroupsFailed);
        Assert.Equal(unknown, failure.Group);
        Assert.Equal("GroupNotInBackupSnapshot", failure.Reason);
        Assert.Contains($"'{unknown}'", failure.Message);
        Assert.Equal([5L, 0L], await _kit.CommittedAsync(known, target, 2));
        Assert.Equal([1L, null], await _kit.CommittedAsync(unknown, target, 2));
    }

    [Fact]
    public async Task Partitions_without_a_source_commit_are_left_alone_and_noted()
    {
        var (target, maps) = RestoredOrders();
        var group = Group("partial");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [group],
            OffsetMaps = maps,
            SourceOffsets = new SourceCommittedOffsets([(group, "orders", 1, 3L)]),
        }, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal([null, 3L], await _kit.CommittedAsync(group, target, 2));
        Assert.Contains(result.Notes, n => n.Contains($"{target}[0]"));
    }

    [Fact]
    public async Task Data_without_offset_headers_cannot_be_translated()
    {
        var target = kafka.Broker.CreateUniqueTopic("no-headers", 1);
        _kit.Produce(target, 0, 3);
        var group = Group("noheaders");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [group],
            Topics = [target],
            SourceOffsets = new SourceCommittedOffsets([(group, target, 0, 1L)]),
        }, CancellationToken.None);

        Assert.Equal("OffsetHeadersMissing", Assert.Single(result.GroupsFailed).Reason);
        Assert.Equal([null], await _kit.CommittedAsync(group, target, 1));
    }

    [Fact]
    public async Task A_consumer_started_after_the_reset_reads_exactly_the_records_after_its_source_position()
    {
        var (target, maps) = RestoredOrders();
        var group = Group("consumer");
        // Source position 17 on partition 0 (inside the gap), 3 on partition 1.
        var source = new SourceCommittedOffsets([(group, "orders", 0, 17L), (group, "orders", 1, 3L)]);
        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.HeaderBased,
            Groups = [group],
            OffsetMaps = maps,
            SourceOffsets = source,
        }, CancellationToken.None);
        Assert.True(result.Succeeded);

        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = _kit.Bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Error,
            EnablePartitionEof = true,
        }).Build();
        consumer.Subscribe(target);
        var seen = new Dictionary<int, List<string>> { [0] = [], [1] = [] };
        var eof = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (eof.Count < 2 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record is null) continue;
            if (record.IsPartitionEOF) { eof.Add(record.Partition.Value); continue; }
            seen[record.Partition.Value].Add(Encoding.UTF8.GetString(record.Message.Value));
        }
        consumer.Close();

        Assert.Equal(2, eof.Count);
        Assert.Equal(["orders/0/20", "orders/0/21", "orders/0/22", "orders/0/23", "orders/0/24"], seen[0]);
        Assert.Equal(["orders/1/3", "orders/1/4"], seen[1]);
    }
}
