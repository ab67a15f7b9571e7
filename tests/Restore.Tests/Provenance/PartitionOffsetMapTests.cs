using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Tests.Provenance;

/// <summary>
/// The offset map a restore keeps per partition (source offset -> target offset, as runs) and the lookup offset resets
/// use, against maps and answers written out by hand. Mutation testing found the run merging, the order check and the
/// lookup's boundary unchecked by the reset tests, whose maps are one run.
/// </summary>
public sealed class PartitionOffsetMapTests
{
    private static PartitionOffsetMap Map(params (long Source, long Target)[] pairs)
    {
        var map = new PartitionOffsetMap("orders", "orders-copy", 0);
        foreach (var (source, target) in pairs) map.Add(source, target);
        return map;
    }

    [Fact]
    public void Contiguous_records_extend_a_run_and_a_jump_on_either_side_starts_another()
    {
        // 0..2 -> 100..102, then the source skips 3..4 (compacted or PITR), then the target skips one (an append).
        var map = Map((0, 100), (1, 101), (2, 102), (5, 103), (6, 104), (7, 106), (8, 107));

        Assert.Equal([new OffsetRun(0, 100, 3), new OffsetRun(5, 103, 2), new OffsetRun(7, 106, 2)], map.Runs);
        Assert.Equal(7, map.RecordCount);
    }

    [Theory]
    [InlineData(4, 11)] // the source goes back
    [InlineData(6, 9)] // the target goes back
    [InlineData(5, 11)] // the source repeats its last offset
    [InlineData(6, 10)] // the target repeats its last offset
    public void A_map_only_grows_forward_on_both_sides(long source, long target)
    {
        var map = Map((5, 10));

        var e = Assert.Throws<InvalidOperationException>(() => map.Add(source, target));

        Assert.Equal($"offset map for orders-copy[0] must grow in order: got {source}->{target} after {new OffsetRun(5, 10, 1)}", e.Message);
        Assert.Equal([new OffsetRun(5, 10, 1)], map.Runs);
    }

    [Theory]
    [InlineData(0, 100L)]
    [InlineData(3, 103L)]
    [InlineData(4, 104L)]
    // In the source's gap (5..9 were not restored): the first restored record after it, source 10 at target 200.
    [InlineData(5, 200L)]
    [InlineData(9, 200L)]
    [InlineData(10, 200L)]
    [InlineData(12, 202L)]
    [InlineData(14, 204L)]
    // Past the last restored record: none (the caller uses the target's end offset).
    [InlineData(15, null)]
    [InlineData(1_000, null)]
    public void The_first_target_at_or_after_a_source_offset_is_found_across_runs_and_gaps(long source, long? target)
    {
        var map = Map([.. Enumerable.Range(0, 5).Select(i => (i + 0L, 100L + i)), .. Enumerable.Range(0, 5).Select(i => (10L + i, 200L + i))]);

        Assert.Equal(target, map.FirstTargetAtOrAfter(source));
    }

    [Fact]
    public void An_empty_map_finds_nothing() => Assert.Null(Map().FirstTargetAtOrAfter(0));
}
