using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// What the checkpointer writes to a real state folder while a restore runs: the confirmed resume point of each
/// partition, a partition read to its end marked with its selected count, nothing for a partition verified in an
/// earlier attempt, and nothing at all when nothing moved. Mutation testing found these unchecked in-process; the
/// crash tests (child processes) see only their sum.
/// </summary>
public sealed class CheckpointWriterTests : IDisposable
{
    private const string Key = "default/restore";
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new();
    private readonly CountingStore _store;
    private readonly CheckpointWriter _writer;

    public CheckpointWriterTests()
    {
        _store = new CountingStore(new FileRestoreStateStore(_dir.Path));
        _writer = new CheckpointWriter(_store, Key, new FixedTime(T0));
    }

    public void Dispose() => _dir.Dispose();

    private static PartitionPlan Plan(int partition) => new("orders", "orders-copy", partition,
        [new SegmentInfo("s0", 0, 99, 0, 0, 100, 1000, 1000), new SegmentInfo("s1", 100, 199, 0, 0, 100, 1000, 1000)], []);

    private static PartitionState State(int partition, bool complete = false) =>
        new(Plan(partition), "fp", targetStart: 7, alreadyPresent: 0, ResumePoint.Beginning) { AlreadyComplete = complete };

    [Fact]
    public void A_partition_read_to_its_end_and_confirmed_is_marked_with_its_selected_count_and_one_part_way_resumes_at_its_segment()
    {
        var ended = State(0);
        ended.AddResumePoint(new ResumePoint(0, 0, []));
        ended.AddResumePoint(new ResumePoint(100, 100, [new OffsetRun(0, 7, 100)]));
        ended.AddResumePoint(new ResumePoint(long.MaxValue, 200, [new OffsetRun(0, 7, 200)]));
        ended.Acknowledge(200);
        var partWay = State(1);
        partWay.AddResumePoint(new ResumePoint(0, 0, []));
        partWay.AddResumePoint(new ResumePoint(100, 100, [new OffsetRun(0, 7, 100)]));
        partWay.Acknowledge(150);
        var notYet = State(2);
        notYet.AddResumePoint(new ResumePoint(0, 0, []));
        notYet.Acknowledge(40);

        _writer.Save([ended, partWay, notYet]);

        var saved = _store.GetCheckpoints(Key).OrderBy(c => c.Partition).ToList();
        Assert.Equal([
            new RestoreCheckpoint("orders", "orders-copy", 0, "fp", 7, 200, long.MaxValue, 200, 200, false, T0),
            new RestoreCheckpoint("orders", "orders-copy", 1, "fp", 7, 150, 100, 100, null, false, T0),
            new RestoreCheckpoint("orders", "orders-copy", 2, "fp", 7, 40, 0, 0, null, false, T0),
        ], saved);
        // Maps for the partitions with selected records before their resume point only, written before the checkpoints.
        var maps = _store.GetOffsetMaps(Key).OrderBy(m => m.Partition).ToList();
        Assert.Equal([(0, 200L), (1, 100L)], maps.Select(m => (m.Partition, m.RecordCount)));
        Assert.Equal(["maps", "checkpoints"], _store.Calls);
    }

    [Fact]
    public void A_partition_verified_in_an_earlier_attempt_keeps_its_completed_checkpoint()
    {
        var earlier = new RestoreCheckpoint("orders", "orders-copy", 0, "fp", 7, 200, long.MaxValue, 200, 200, true, T0.AddHours(-1));
        _store.SaveCheckpoints(Key, [earlier]);
        _store.Calls.Clear();
        var running = State(1);
        running.AddResumePoint(new ResumePoint(0, 0, []));
        running.Acknowledge(10);

        _writer.Save([State(0, complete: true), running]);

        Assert.Equal(earlier, _store.GetCheckpoints(Key).Single(c => c.Partition == 0));
        Assert.Equal(10, _store.GetCheckpoints(Key).Single(c => c.Partition == 1).RecordsConfirmed);
    }

    [Fact]
    public void Nothing_is_written_while_nothing_moved_and_a_move_of_either_count_or_segment_is_written()
    {
        var state = State(0);
        state.AddResumePoint(new ResumePoint(0, 0, []));
        state.Acknowledge(10);
        _writer.Save([state]);
        Assert.Equal(["checkpoints"], _store.Calls);

        _writer.Save([state]);
        Assert.Equal(["checkpoints"], _store.Calls);

        state.Acknowledge(5);
        _writer.Save([state]);
        Assert.Equal(15, _store.GetCheckpoints(Key).Single().RecordsConfirmed);
        Assert.Equal(2, _store.Calls.Count);

        // Confirmed exactly up to the next segment's start: the count and the resume segment move together.
        state.AddResumePoint(new ResumePoint(100, 100, [new OffsetRun(0, 7, 100)]));
        state.Acknowledge(85);
        _writer.Save([state]);
        Assert.Equal((100L, 100L), (_store.GetCheckpoints(Key).Single().RecordsConfirmed, _store.GetCheckpoints(Key).Single().ResumeSegmentStartOffset));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>The real file store, with the order of its save calls recorded.</summary>
    private sealed class CountingStore(FileRestoreStateStore inner) : IRestoreStateStore
    {
        public List<string> Calls { get; } = [];

        public IReadOnlyList<RestoreCheckpoint> GetCheckpoints(string restoreKey) => inner.GetCheckpoints(restoreKey);

        public void SaveCheckpoints(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints)
        {
            Calls.Add("checkpoints");
            inner.SaveCheckpoints(restoreKey, checkpoints);
        }

        public IReadOnlyList<PartitionOffsetMap> GetOffsetMaps(string restoreKey) => inner.GetOffsetMaps(restoreKey);

        public void SaveOffsetMaps(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps)
        {
            Calls.Add("maps");
            inner.SaveOffsetMaps(restoreKey, maps);
        }

        public void DeleteRun(string restoreKey) => inner.DeleteRun(restoreKey);
    }
}
