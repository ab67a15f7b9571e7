using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// The restore plan from a manifest as the backup writer would never lay it out (partitions, segments and gaps out of
/// order, a topic listed twice, partitions missing), checked against values written out by hand. Mutation testing found
/// the required partition count and the orderings unchecked by the engine tests, whose backups are always tidy.
/// </summary>
public sealed class RestorePlannerTests
{
    private static SegmentInfo Segment(int partition, long start, long count) =>
        new($"b/orders/{partition}/{start}.kbak", start, start + count - 1, 1000 + start, 1000 + start + count - 1, count, count * 10, count * 5);

    private static PartitionBackup Partition(int id, params SegmentInfo[] segments) => new(id, segments, null);

    private static BackupManifest Manifest(params TopicBackup[] topics) => new("b", 0, "cluster-a", ["source:9092"], "none", topics);

    private static KafkaRestoreSpec Spec(Func<KafkaRestoreSpec, KafkaRestoreSpec>? edit = null) =>
        RestoreKit.Restore("b", "127.0.0.1:9092", RestoreKit.Filesystem("/backups"), edit).Spec;

    [Fact]
    public void Partitions_segments_and_gaps_are_planned_in_ascending_order_whatever_the_manifests_order()
    {
        var gaps = new List<BackupGap> { new(70, 79, "retention", null), new(20, 29, "retention", null) };
        var manifest = Manifest(new TopicBackup("orders", 3, [
            Partition(2, Segment(2, 50, 10), Segment(2, 0, 50)),
            new PartitionBackup(0, [Segment(0, 100, 5), Segment(0, 0, 100)], gaps),
            Partition(1, Segment(1, 0, 7)),
        ]));

        var plan = RestorePlanner.Plan(manifest, Spec());

        var topic = Assert.Single(plan.Topics);
        Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.Partition));
        Assert.Equal([0L, 100], topic.Partitions[0].Segments.Select(s => s.StartOffset));
        Assert.Equal([0L, 50], topic.Partitions[2].Segments.Select(s => s.StartOffset));
        Assert.Equal([20L, 70], topic.Partitions[0].Gaps.Select(g => g.StartOffset));
        Assert.Empty(topic.Partitions[1].Gaps);
        Assert.Equal(105 + 7 + 60, topic.RecordCount);
        Assert.Equal(("cluster-a", (long?)null), (plan.SourceClusterId, plan.PitrCutoffMillis));
    }

    [Theory]
    // The source topic had 12 partitions, of which the backup holds 0 and 3: the target needs all 12 for keys to land alike.
    [InlineData(12, new[] { 0, 3 }, 12)]
    // A manifest that says fewer partitions than its ids need: the ids win.
    [InlineData(2, new[] { 0, 5 }, 6)]
    // An older manifest without the count: the highest id + 1.
    [InlineData(null, new[] { 4, 1 }, 5)]
    // A topic whose partitions all were empty: what the manifest says, or nothing.
    [InlineData(8, new int[0], 8)]
    [InlineData(null, new int[0], 0)]
    public void The_target_needs_the_source_partition_count_or_more_when_the_ids_say_so(int? original, int[] ids, int required)
    {
        var manifest = Manifest(new TopicBackup("orders", original, [.. ids.Select(id => Partition(id, Segment(id, 0, 1)))]));

        var topic = Assert.Single(RestorePlanner.Plan(manifest, Spec()).Topics);

        Assert.Equal(required, topic.RequiredPartitions);
    }

    [Fact]
    public void The_topics_filter_keeps_the_manifests_order_once_each_and_topicMapping_renames_the_target()
    {
        var manifest = Manifest(
            new TopicBackup("a", 1, [Partition(0, Segment(0, 0, 1))]),
            new TopicBackup("b", 1, [Partition(0, Segment(0, 0, 2))]),
            new TopicBackup("a", 1, [Partition(0, Segment(0, 0, 3))]),
            new TopicBackup("c", 1, [Partition(0, Segment(0, 0, 4))]));

        var all = RestorePlanner.Plan(manifest, Spec());
        var some = RestorePlanner.Plan(manifest, Spec(s => s with
        {
            Topics = new ValueList<string>(["c", "a"]),
            TopicMapping = new ValueMap([new KeyValuePair<string, string>("a", "a-restored")]),
        }));

        Assert.Equal([("a", "a", 1L), ("b", "b", 2), ("c", "c", 4)], all.Topics.Select(t => (t.SourceTopic, t.TargetTopic, t.RecordCount)));
        Assert.Equal([("a", "a-restored"), ("c", "c")], some.Topics.Select(t => (t.SourceTopic, t.TargetTopic)));
        Assert.All(some.Topics.Single(t => t.SourceTopic == "a").Partitions, p => Assert.Equal("a-restored", p.TargetTopic));
    }

    [Fact]
    public void A_topic_the_backup_lacks_is_named_with_what_the_backup_holds()
    {
        var manifest = Manifest(new TopicBackup("orders", 1, [Partition(0, Segment(0, 0, 1))]), new TopicBackup("payments", 1, []));

        var e = Assert.Throws<KafkaRestoredException>(() => RestorePlanner.Plan(manifest, Spec(s => s with { Topics = new ValueList<string>(["orders", "refunds", "audit"]) })));
        var empty = Assert.Throws<KafkaRestoredException>(() => RestorePlanner.Plan(Manifest(), Spec(s => s with { Topics = new ValueList<string>(["orders"]) })));

        Assert.Equal(FailureReason.TopicNotInBackup, e.Reason);
        Assert.Equal("spec.topics names 'refunds', 'audit' but backup 'b' has no such topic (the backup holds: orders, payments); fix spec.topics or the backupId.", e.Message);
        Assert.Equal("spec.topics names 'orders' but backup 'b' has no such topic (the backup holds no topics); fix spec.topics or the backupId.", empty.Message);
    }
}
