using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>The five strategies of SPEC 3.4 on the hosted broker, asserting committed offsets read back per partition.</summary>
public sealed class OffsetResetterTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly OffsetTestKit _kit = new(kafka.Broker.BootstrapServers);

    public void Dispose() => _kit.Dispose();

    private OffsetResetter Resetter(Func<string, CancellationToken, Task>? hook = null) =>
        new(_kit.Cluster, new SecretStore(null)) { BeforeReadBack = hook, Timeout = TimeSpan.FromSeconds(10) };

    private static string Group(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    /// <summary>Three partitions holding 5, 0 and 12 records.</summary>
    private string TopicWithUnevenPartitions()
    {
        var topic = kafka.Broker.CreateUniqueTopic("reset", 3);
        _kit.Produce(topic, 0, 5);
        _kit.Produce(topic, 2, 12);
        return topic;
    }

    [Fact]
    public async Task Earliest_commits_each_partitions_log_start()
    {
        var topic = TopicWithUnevenPartitions();
        var group = Group("earliest");
        await _kit.CommitAsync(group, (topic, 0, 4), (topic, 2, 9));

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Earliest,
            Groups = [group],
            Topics = [topic],
        }, CancellationToken.None);

        Assert.Equal([group], result.GroupsReset);
        Assert.Empty(result.GroupsFailed);
        Assert.Equal([0L, 0L, 0L], await _kit.CommittedAsync(group, topic, 3));
    }

    [Fact]
    public async Task Latest_commits_each_partitions_end_offset()
    {
        var topic = TopicWithUnevenPartitions();
        var group = Group("latest");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Latest,
            Groups = [group],
            Topics = [topic],
        }, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal([5L, 0L, 12L], await _kit.CommittedAsync(group, topic, 3));
        Assert.Equal([new PartitionOffset(topic, 0, 5), new PartitionOffset(topic, 1, 0), new PartitionOffset(topic, 2, 12)],
            result.Committed.Single().Offsets);
        Assert.True(result.Verification.Single().Matches);
    }

    [Fact]
    public async Task Offset_is_clamped_to_log_start_and_end_per_partition()
    {
        var topic = TopicWithUnevenPartitions();
        var group = Group("offset");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Offset,
            Offset = 7,
            Groups = [group],
            Topics = [topic],
        }, CancellationToken.None);

        Assert.True(result.Succeeded);
        // 7 is past the end of partition 0 (5) and of empty partition 1 (0), inside partition 2 (12).
        Assert.Equal([5L, 0L, 7L], await _kit.CommittedAsync(group, topic, 3));
    }

    [Fact]
    public async Task Timestamp_on_restored_data_reads_the_restored_records()
    {
        var topic = kafka.Broker.CreateUniqueTopic("ts", 2);
        // Source timestamps are not monotonic: source offset 3 is older than offset 2.
        DateTimeOffset Time(long source) => source == 3 ? OffsetTestKit.TimeOf(0) : OffsetTestKit.TimeOf(source * 10);
        var map0 = _kit.Restore("orders", topic, 0, [0, 1, 2, 3, 4, 5], timeOf: Time);
        var map1 = _kit.Restore("orders", topic, 1, [0, 1], timeOf: Time);
        var group = Group("ts");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Timestamp,
            Timestamp = OffsetTestKit.TimeOf(15),
            Groups = [group],
            OffsetMaps = [map0, map1],
        }, CancellationToken.None);

        Assert.True(result.Succeeded);
        // Partition 0: source 2 (+20 s) at target 2 is the first at or after +15 s.
        // Partition 1: +0 s and +10 s are both before: no record at or after, so the end offset.
        Assert.Equal([2L, 2L], await _kit.CommittedAsync(group, topic, 2));
    }

    [Fact]
    public async Task Timestamp_without_a_map_takes_the_brokers_answer_and_its_minus_one_means_the_end()
    {
        // The mock's time index always answers -1 ("no record at or after"): that must become the
        // end offset, never offset -1 or the log start.
        var topic = TopicWithUnevenPartitions();
        var group = Group("ts-broker");

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Timestamp,
            Timestamp = OffsetTestKit.BaseTime,
            Groups = [group],
            Topics = [topic],
        }, CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal([5L, 0L, 12L], await _kit.CommittedAsync(group, topic, 3));
    }

    [Theory]
    [InlineData(OffsetResetStrategy.Earliest, 0L, 0L)]
    [InlineData(OffsetResetStrategy.Latest, 6L, 4L)]
    [InlineData(OffsetResetStrategy.Offset, 3L, 3L)]
    [InlineData(OffsetResetStrategy.Timestamp, 4L, 4L)]
    public async Task After_a_restore_only_the_partitions_it_touched_are_reset(OffsetResetStrategy strategy, long expected0, long expected2)
    {
        // The restore wrote partitions 0 (6 records) and 2 (4 records); partition 1 holds other data.
        var topic = kafka.Broker.CreateUniqueTopic("touched", 3);
        var map0 = _kit.Restore("orders", topic, 0, [0, 1, 2, 3, 4, 5]);
        var map2 = _kit.Restore("orders", topic, 2, [0, 1, 2, 3]);
        _kit.Produce(topic, 1, 5);
        var group = Group("touched");
        await _kit.CommitAsync(group, (topic, 0, 1), (topic, 1, 2), (topic, 2, 1));

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = strategy,
            Offset = 3,
            // Partition 0 has a record at +4 s (target 4); partition 2's last is at +3 s, so its end.
            Timestamp = OffsetTestKit.TimeOf(4),
            Groups = [group],
            OffsetMaps = [map0, map2],
        }, CancellationToken.None);

        Assert.Equal([group], result.GroupsReset);
        Assert.Equal([expected0, 2L, expected2], await _kit.CommittedAsync(group, topic, 3));
    }

    [RealKafkaFact("the mock answers every ListOffsets by timestamp with -1, so a broker's time index cannot be looked up")]
    public async Task Timestamp_without_a_map_uses_the_brokers_time_index_on_a_real_cluster()
    {
        using var kit = new OffsetTestKit(RealKafkaFactAttribute.Bootstrap!);
        var topic = "kr-offsets-ts-" + Guid.NewGuid().ToString("N")[..8];
        kit.Produce(topic, 0, 10);
        var group = Group("ts-real");
        var result = await new OffsetResetter(kit.Cluster, new SecretStore(null)).ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Timestamp,
            Timestamp = OffsetTestKit.BaseTime.AddSeconds(4),
            Groups = [group],
            Topics = [topic],
        }, CancellationToken.None);
        Assert.True(result.Succeeded);
        Assert.Equal(4L, (await kit.CommittedAsync(group, topic, 1))[0]);
    }

    [Fact]
    public async Task A_group_with_an_active_member_is_refused_by_name_and_left_untouched_while_others_are_reset()
    {
        var topic = TopicWithUnevenPartitions();
        var busy = Group("busy");
        var idle = Group("idle");
        await _kit.CommitAsync(busy, (topic, 0, 1), (topic, 2, 1));
        using var member = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig
        {
            BootstrapServers = _kit.Bootstrap,
            GroupId = busy,
            EnableAutoCommit = false,
        }).Build();
        member.Subscribe(topic);
        for (var i = 0; i < 50 && member.Assignment.Count == 0; i++) member.Consume(TimeSpan.FromMilliseconds(100));
        Assert.NotEmpty(member.Assignment);

        var result = await Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Latest,
            Groups = [busy, idle],
            Topics = [topic],
        }, CancellationToken.None);
        member.Close();

        Assert.Equal([idle], result.GroupsReset);
        var failure = Assert.Single(result.GroupsFailed);
        Assert.Equal(busy, failure.Group);
        Assert.Equal("GroupHasActiveMembers", failure.Reason);
        Assert.Contains($"'{busy}'", failure.Message);
        // The test broker cannot describe groups: the commit was tried and the broker's refusal reported.
        Assert.Contains("refused to commit", failure.Message);
        Assert.Equal([1L, null, 1L], await _kit.CommittedAsync(busy, topic, 3));
        Assert.Equal([5L, 0L, 12L], await _kit.CommittedAsync(idle, topic, 3));
    }

    [RealKafkaFact("the mock does not serve DescribeConsumerGroups, so a group's live members cannot be seen")]
    public async Task On_a_real_cluster_an_active_group_is_refused_from_its_description_before_any_commit()
    {
        using var kit = new OffsetTestKit(RealKafkaFactAttribute.Bootstrap!);
        var topic = "kr-offsets-active-" + Guid.NewGuid().ToString("N")[..8];
        kit.Produce(topic, 0, 3);
        var busy = Group("busy-real");
        await kit.CommitAsync(busy, (topic, 0, 1));
        using var member = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(new Confluent.Kafka.ConsumerConfig
        {
            BootstrapServers = kit.Bootstrap,
            GroupId = busy,
            EnableAutoCommit = false,
        }).Build();
        member.Subscribe(topic);
        for (var i = 0; i < 100 && member.Assignment.Count == 0; i++) member.Consume(TimeSpan.FromMilliseconds(100));

        var result = await new OffsetResetter(kit.Cluster, new SecretStore(null)).ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Latest,
            Groups = [busy],
            Topics = [topic],
        }, CancellationToken.None);
        member.Close();

        var failure = Assert.Single(result.GroupsFailed);
        Assert.Equal("GroupHasActiveMembers", failure.Reason);
        Assert.Contains("active member(s)", failure.Message);
        Assert.Equal(1L, (await kit.CommittedAsync(busy, topic, 1))[0]);
    }

    [Fact]
    public async Task A_read_back_that_differs_from_the_commit_fails_the_group_with_the_partitions()
    {
        var topic = TopicWithUnevenPartitions();
        var group = Group("planted");
        var result = await Resetter(async (g, _) => await _kit.CommitAsync(g, (topic, 2, 3))).ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Latest,
            Groups = [group],
            Topics = [topic],
        }, CancellationToken.None);

        var failure = Assert.Single(result.GroupsFailed);
        Assert.Equal("OffsetVerificationFailed", failure.Reason);
        Assert.Contains($"{topic}[2] expected 12, found 3", failure.Message);
        var mismatch = Assert.Single(Assert.Single(result.Verification).Mismatches);
        Assert.Equal(new PartitionMismatch(topic, 2, 12, 3), mismatch);
    }

    [Fact]
    public async Task A_missing_topic_fails_the_whole_reset_before_any_commit()
    {
        var group = Group("missing");
        var ex = await Assert.ThrowsAsync<KafkaRestoredException>(() => Resetter().ResetAsync(new OffsetResetRequest
        {
            Strategy = OffsetResetStrategy.Latest,
            Groups = [group],
            Topics = ["no-such-topic-" + Guid.NewGuid().ToString("N")],
        }, CancellationToken.None));
        Assert.Equal("TopicNotFound", ex.Reason);
    }

    [Fact]
    public async Task An_unreachable_cluster_is_a_clear_error()
    {
        var dead = new KafkaClusterSpec(new ValueList<string>([$"127.0.0.1:{S3rverFixture.FreePort()}"]), SecurityProtocol.Plaintext, null, null, null);
        var ex = await Assert.ThrowsAsync<KafkaRestoredException>(() =>
            new OffsetResetter(dead, new SecretStore(null)) { Timeout = TimeSpan.FromSeconds(2) }.ResetAsync(new OffsetResetRequest
            {
                Strategy = OffsetResetStrategy.Latest,
                Groups = ["g"],
                Topics = ["t"],
            }, CancellationToken.None));
        Assert.Equal("ClusterUnreachable", ex.Reason);
        Assert.Contains("bootstrapServers", ex.Message);
    }
}
