using Confluent.Kafka;
using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Tests.Coordination;

/// <summary>
/// <see cref="SharedRunState"/> and <see cref="ReplicatedRestoreStateStore"/> against the hosted mock cluster: what one
/// leader saves is what the next one loads (a long offset map in parts included, later saves replacing earlier ones, a
/// forgotten run gone), a record that is not restore state is skipped, and a cluster that does not answer fails the save
/// with SharedStateUnavailable before the leader's own store is written.
/// </summary>
public sealed class SharedRunStateTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
    private readonly TempDir _dir = new("kr-shared");

    public void Dispose() => _dir.Dispose();

    private SharedRunState Shared(string topic, string? bootstrap = null, double timeoutSeconds = 10) =>
        new(new ClientConfig { BootstrapServers = bootstrap ?? kafka.Broker.BootstrapServers }, topic, TimeSpan.FromSeconds(timeoutSeconds), NullLogger.Instance);

    private string Topic()
    {
        var topic = "restore-state-" + Guid.NewGuid().ToString("N")[..8];
        kafka.Broker.CreateTopic(topic, 1);
        return topic;
    }

    private FileRestoreStateStore Store(string name) => new(_dir.Combine(name));

    private FileOffsetSnapshotStore Snapshots(string? name = null) => new(_dir.Combine(name ?? "snapshots-" + Guid.NewGuid().ToString("N")[..8]));

    private static OffsetSnapshot Snapshot(string id, long offset) =>
        new(id, At, new ResourceId(ResourceKinds.KafkaOffsetReset, "ns", "replay"), ["127.0.0.1:9092"], ["orders"], ["analytics"],
            [("analytics", "orders", 0, offset), ("analytics", "orders", 1, offset + 1)]);

    private static RestoreCheckpoint Checkpoint(string topic, int partition, long confirmed, long start = 100) =>
        new("orders", topic, partition, "fp-1", start, confirmed, 40, confirmed, null, false, At.AddSeconds(confirmed));

    /// <summary>A map of <paramref name="runs"/> separate runs (every other source offset), more than one record's worth when large.</summary>
    private static PartitionOffsetMap Map(string topic, int partition, int runs) =>
        new("orders", topic, partition, Enumerable.Range(0, runs).Select(i => new OffsetRun(i * 2L, 100 + i, 1)));

    [Fact]
    public void What_one_leader_saves_the_next_loads_later_saves_win_and_a_long_map_arrives_whole()
    {
        var topic = Topic();
        using var shared = Shared(topic);
        var first = new ReplicatedRestoreStateStore(Store("leader-1"), shared);
        var longMap = Map("orders-restored", 0, SharedRunState.RunsPerRecord * 2 + 17);
        first.SaveOffsetMaps("KafkaRestore/ns/a#g1", [longMap, Map("orders-restored", 1, 3)]);
        first.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("orders-restored", 0, 10), Checkpoint("orders-restored", 1, 5)]);
        first.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("orders-restored", 0, 25)]);
        first.SaveCheckpoints("KafkaRestore/ns/b#g3", [Checkpoint("payments", 0, 7, start: 0)]);

        var next = Store("leader-2");
        using var reader = Shared(topic);
        Assert.Equal(2, reader.Import(next, Snapshots(), CancellationToken.None));

        Assert.Equal([Checkpoint("orders-restored", 0, 25), Checkpoint("orders-restored", 1, 5)],
            next.GetCheckpoints("KafkaRestore/ns/a#g1").OrderBy(c => c.Partition));
        Assert.Equal([Checkpoint("payments", 0, 7, start: 0)], next.GetCheckpoints("KafkaRestore/ns/b#g3"));
        var maps = next.GetOffsetMaps("KafkaRestore/ns/a#g1").OrderBy(m => m.Partition).ToList();
        Assert.Equal(2, maps.Count);
        Assert.Equal(longMap.Runs, maps[0].Runs);
        Assert.Equal(("orders", "orders-restored", 0), (maps[0].SourceTopic, maps[0].TargetTopic, maps[0].Partition));
        Assert.Equal(3, maps[1].Runs.Count);
        // The leader's own store holds the same as the topic.
        Assert.Equal(first.GetCheckpoints("KafkaRestore/ns/a#g1").OrderBy(c => c.Partition), next.GetCheckpoints("KafkaRestore/ns/a#g1").OrderBy(c => c.Partition));
    }

    [Fact]
    public void A_forgotten_run_is_not_loaded_and_the_others_are()
    {
        var topic = Topic();
        using var shared = Shared(topic);
        var leader = new ReplicatedRestoreStateStore(Store("leader"), shared);
        leader.SaveOffsetMaps("KafkaRestore/ns/gone#g1", [Map("t", 0, SharedRunState.RunsPerRecord + 1)]);
        leader.SaveCheckpoints("KafkaRestore/ns/gone#g1", [Checkpoint("t", 0, 3)]);
        leader.SaveCheckpoints("KafkaRestore/ns/kept#g1", [Checkpoint("t", 0, 4)]);
        leader.DeleteRun("KafkaRestore/ns/gone#g1");

        var next = Store("next");
        Shared(topic).Import(next, Snapshots(), CancellationToken.None);
        Assert.Empty(next.GetCheckpoints("KafkaRestore/ns/gone#g1"));
        Assert.Empty(next.GetOffsetMaps("KafkaRestore/ns/gone#g1"));
        Assert.Empty(leader.GetCheckpoints("KafkaRestore/ns/gone#g1"));
        Assert.Equal([Checkpoint("t", 0, 4)], next.GetCheckpoints("KafkaRestore/ns/kept#g1"));
    }

    [Fact]
    public void A_record_that_is_not_restore_state_is_skipped()
    {
        var topic = Topic();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = kafka.Broker.BootstrapServers }).Build())
        {
            producer.Produce(topic, new Message<string, string> { Key = "KafkaRestore/ns/x#g1|checkpoint|t|0", Value = "{not json" });
            producer.Produce(topic, new Message<string, string> { Key = "someone-else", Value = "[1,2,3]" });
            producer.Flush(TimeSpan.FromSeconds(10));
        }
        using var shared = Shared(topic);
        new ReplicatedRestoreStateStore(Store("leader"), shared).SaveCheckpoints("KafkaRestore/ns/y#g1", [Checkpoint("t", 0, 9)]);

        var next = Store("next");
        Assert.Equal(1, Shared(topic).Import(next, Snapshots(), CancellationToken.None));
        Assert.Equal([Checkpoint("t", 0, 9)], next.GetCheckpoints("KafkaRestore/ns/y#g1"));
        Assert.Empty(next.GetCheckpoints("KafkaRestore/ns/x#g1"));
    }

    [Fact]
    public void A_cluster_that_does_not_answer_fails_the_save_before_the_leaders_own_store_is_written()
    {
        using var shared = Shared("restore-state", bootstrap: "127.0.0.1:1", timeoutSeconds: 3);
        var own = Store("leader");
        var store = new ReplicatedRestoreStateStore(own, shared);

        var e = Assert.Throws<KafkaRestoredException>(() => store.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("t", 0, 1)]));
        Assert.Equal("SharedStateUnavailable", e.Reason.Name);
        Assert.Contains("did not acknowledge 1 state records in 3 s", e.Message, StringComparison.Ordinal);
        Assert.Empty(own.GetCheckpoints("KafkaRestore/ns/a#g1"));

        // Positive control: the same save through a cluster that answers reaches the leader's store.
        using var working = Shared(Topic());
        new ReplicatedRestoreStateStore(own, working).SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("t", 0, 1)]);
        Assert.Single(own.GetCheckpoints("KafkaRestore/ns/a#g1"));
    }

    [Fact]
    public void An_offset_snapshot_taken_by_one_leader_is_loaded_by_the_next_and_a_reused_id_does_not_replace_it()
    {
        var topic = Topic();
        using var shared = Shared(topic);
        var leaderSnapshots = new ReplicatedOffsetSnapshotStore(Snapshots("leader"), shared);
        leaderSnapshots.Save(Snapshot("pre-replay", 40));
        var reused = Assert.Throws<KafkaRestoredException>(() => leaderSnapshots.Save(Snapshot("pre-replay", 99)));
        Assert.Equal("SnapshotExists", reused.Reason.Name);

        var next = Snapshots("next");
        var existing = Snapshots("next-with-one");
        existing.Save(Snapshot("pre-replay", 7));
        Shared(topic).Import(Store("next"), next, CancellationToken.None);
        Shared(topic).Import(Store("next-2"), existing, CancellationToken.None);

        Assert.Equal(OffsetSnapshotYaml.Render(Snapshot("pre-replay", 40)), OffsetSnapshotYaml.Render(next.Get("pre-replay")!));
        // A snapshot the member already holds is kept (ids are never reused).
        Assert.Equal(OffsetSnapshotYaml.Render(Snapshot("pre-replay", 7)), OffsetSnapshotYaml.Render(existing.Get("pre-replay")!));
    }

    [Fact]
    public void An_instance_that_may_not_write_shares_nothing_and_saves_nothing()
    {
        var topic = Topic();
        var leading = true;
        using var shared = new SharedRunState(new ClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }, topic, TimeSpan.FromSeconds(10), NullLogger.Instance)
        {
            MayWrite = () => leading,
        };
        var own = Store("deposed");
        var store = new ReplicatedRestoreStateStore(own, shared);
        store.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("t", 0, 10)]);
        leading = false;

        var e = Assert.Throws<KafkaRestoredException>(() => store.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("t", 0, 3)]));
        Assert.Equal("SharedStateUnavailable", e.Reason.Name);
        Assert.Contains("does not lead", e.Message, StringComparison.Ordinal);
        Assert.Equal([Checkpoint("t", 0, 10)], own.GetCheckpoints("KafkaRestore/ns/a#g1"));
        var next = Store("next");
        Shared(topic).Import(next, Snapshots(), CancellationToken.None);
        Assert.Equal([Checkpoint("t", 0, 10)], next.GetCheckpoints("KafkaRestore/ns/a#g1"));
    }

    [Fact]
    public void A_state_topic_that_does_not_exist_cannot_be_loaded_and_says_which()
    {
        using var shared = Shared("restore-state-missing-" + Guid.NewGuid().ToString("N")[..8], timeoutSeconds: 5);
        var e = Assert.Throws<KafkaRestoredException>(() => shared.Import(Store("next"), Snapshots(), CancellationToken.None));
        Assert.Equal("SharedStateUnavailable", e.Reason.Name);
        Assert.Contains("restore-state-missing-", e.Message, StringComparison.Ordinal);
    }

    private static RestoreUnit Unit(string run, int slot, string dispatch, params int[] partitions) =>
        new(run, slot, dispatch, "KafkaRestore ns/a", "apiVersion: kafka.oso.sh/v1alpha1\n", [.. partitions.Select(p => new UnitPartition("orders-restored", p))]);

    [Fact]
    public void Units_and_results_are_read_on_from_the_last_look_withdrawn_units_and_forgotten_results_disappear()
    {
        var topic = Topic();
        using var leader = Shared(topic);
        using var member = Shared(topic);
        Assert.Empty(member.ReadUnits(CancellationToken.None).Units);

        leader.PublishUnits([Unit("KafkaRestore/ns/a#g1", 0, "d1", 0, 2), Unit("KafkaRestore/ns/a#g1", 1, "d1", 1, 3)]);
        var (units, results) = member.ReadUnits(CancellationToken.None);
        Assert.Equal([0, 1], units.Select(u => u.Slot).Order());
        Assert.Equal([new UnitPartition("orders-restored", 0), new UnitPartition("orders-restored", 2)], units.Single(u => u.Slot == 0).Partitions);
        Assert.Empty(results);

        var holds = true;
        member.PublishUnitResult(new UnitResult("KafkaRestore/ns/a#g1", 0, "d1", "node-b", "Completed", "RestoreCompleted", "done", 2, 20), () => holds);
        // The member's checkpoints ride in the same topic; the look reads only what is new and keeps the latest per key.
        new ReplicatedRestoreStateStore(Store("member"), member) { MayWrite = () => holds }.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("orders-restored", 0, 10)]);
        (_, results) = leader.ReadUnits(CancellationToken.None);
        Assert.Equal("node-b", Assert.Single(results).Instance);
        Assert.Equal(10, Assert.Single(leader.Checkpoints("KafkaRestore/ns/a#g1")).RecordsConfirmed);

        // A member that lost the slot writes nothing: neither a result nor a checkpoint.
        holds = false;
        var refused = Assert.Throws<KafkaRestoredException>(() =>
            member.PublishUnitResult(new UnitResult("KafkaRestore/ns/a#g1", 1, "d1", "node-b", "Completed", "RestoreCompleted", "done", 2, 20), () => holds));
        Assert.Equal("SharedStateUnavailable", refused.Reason.Name);
        Assert.Throws<KafkaRestoredException>(() =>
            new ReplicatedRestoreStateStore(Store("member-2"), member) { MayWrite = () => holds }.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("orders-restored", 0, 99)]));
        Assert.Equal(10, Assert.Single(leader.Checkpoints("KafkaRestore/ns/a#g1")).RecordsConfirmed);

        leader.WithdrawUnits("KafkaRestore/ns/a#g1", [0, 1]);
        leader.ForgetUnitResults("KafkaRestore/ns/a#g1", [0]);
        (units, results) = member.ReadUnits(CancellationToken.None);
        Assert.Empty(units);
        Assert.Empty(results);
        // A fresh reader of the whole topic agrees with the one that read on.
        using var fresh = Shared(topic);
        Assert.Empty(fresh.ReadUnits(CancellationToken.None).Units);
    }

    [Fact]
    public void A_member_imports_only_the_run_of_its_units()
    {
        var topic = Topic();
        using var shared = Shared(topic);
        var leader = new ReplicatedRestoreStateStore(Store("leader"), shared);
        leader.SaveCheckpoints("KafkaRestore/ns/a#g1", [Checkpoint("orders-restored", 0, 10)]);
        leader.SaveCheckpoints("KafkaRestore/ns/b#g1", [Checkpoint("orders-restored", 0, 30)]);
        shared.PublishUnits([Unit("KafkaRestore/ns/a#g1", 0, "d1", 0)]);

        var member = Store("member");
        Assert.Equal(1, shared.Import(member, null, "KafkaRestore/ns/a#g1", CancellationToken.None));

        Assert.Equal(10, Assert.Single(member.GetCheckpoints("KafkaRestore/ns/a#g1")).RecordsConfirmed);
        Assert.Empty(member.GetCheckpoints("KafkaRestore/ns/b#g1"));
    }

    [Fact]
    public void Member_records_are_read_on_with_the_units()
    {
        var topic = Topic();
        using var a = Shared(topic);
        using var b = Shared(topic);
        a.PublishMember(new MemberRecord("node-a", "host-a", "leader", At, At, "holds partition 0"));
        b.PublishMember(new MemberRecord("node-b", "host-b", "member", At, At, "another instance leads"));
        b.PublishMember(new MemberRecord("node-b", "host-b", "stopped", At, At.AddSeconds(5), "stopped cleanly"));

        a.Refresh(CancellationToken.None);

        Assert.Equal([("node-a", "leader"), ("node-b", "stopped")], a.Members().Select(m => (m.Instance, m.Role)).Order());
    }
}
