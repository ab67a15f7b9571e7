using Confluent.Kafka;
using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Tests.Coordination;

/// <summary>
/// The leader's side of spreading, against the hosted mock cluster with a real units group: units placed in slots that no
/// member runs fail the attempt UnitsStalled after the stall timeout and are withdrawn; a units topic that does not exist
/// spreads nothing (the leader writes the restore itself).
/// </summary>
public sealed class UnitDispatcherTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly TempDir _dir = new("kr-dispatch");

    public void Dispose() => _dir.Dispose();

    private static KafkaRestore Restore(string bootstrap) =>
        (KafkaRestore)ResourceLoader.LoadText("r.yaml", $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: r, namespace: ns{"}"}
            spec:
              backupId: backup-1
              targetCluster: {"{"}bootstrapServers: [{bootstrap}]{"}"}
              storage: {"{"}storageType: filesystem, filesystem: {"{"}path: /tmp/none{"}"}{"}"}

            """).Resources.Single().Resource;

    private static RestorePlan Plan(int partitions, long recordsEach = 0) =>
        new("backup-1", null, null, [new TopicPlan("orders", "orders", partitions, [.. Enumerable.Range(0, partitions).Select(p => new PartitionPlan("orders", "orders", p,
            recordsEach == 0 ? [] : [new SegmentInfo($"b/orders/{p}/0", 0, recordsEach - 1, 0, 0, recordsEach, 0, 0)], []))])]);


    /// <summary>A state topic, a units topic of the given slots (none: 0) held by one member, node-a, and a state store.</summary>
    private sealed class Setup : IDisposable
    {
        public Setup(KafkaFixture kafka, TempDir dir, int unitSlots)
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            kafka.Broker.CreateTopic("state-" + suffix, 1);
            if (unitSlots > 0) kafka.Broker.CreateTopic("units-" + suffix, unitSlots);
            Client = new ClientConfig { BootstrapServers = kafka.Broker.BootstrapServers };
            // Without slots the units topic must stay missing: UnitSlots.Start looks it up in the background to create it, and the
            // mock creates a topic a producer-side metadata request names (a loaded run of the no-topic test spread over it).
            if (unitSlots == 0) Client.Set("allow.auto.create.topics", "false");
            StateTopic = "state-" + suffix;
            Shared = new SharedRunState(Client, StateTopic, TimeSpan.FromSeconds(10), NullLogger.Instance);
            Slots = new UnitSlots(Client, "group-" + suffix, (unitSlots > 0 ? "units-" : "units-missing-") + suffix, "node-a", TimeSpan.FromSeconds(6),
                TimeProvider.System, NullLogger.Instance);
            Slots.Start();
            Store = StateStore.Open(dir.Combine("state"));
        }

        public ClientConfig Client { get; }

        public string StateTopic { get; }

        public SharedRunState Shared { get; }

        public UnitSlots Slots { get; }

        public StateStore Store { get; }

        public UnitDispatcher Dispatcher() => new(Slots, Shared, Store, TimeProvider.System, NullLogger.Instance);

        public void Dispose()
        {
            Store.Dispose();
            Slots.Dispose();
            Shared.Dispose();
        }
    }

    [Fact]
    public async Task Units_no_member_runs_fail_the_attempt_UnitsStalled_and_are_withdrawn()
    {
        using var setup = new Setup(kafka, _dir, 4);
        var shared = setup.Shared;
        var dispatcher = new UnitDispatcher(setup.Slots, shared, setup.Store, TimeProvider.System, NullLogger.Instance)
        {
            PollInterval = TimeSpan.FromMilliseconds(200),
            StallTimeout = TimeSpan.FromSeconds(3),
            WithdrawWait = TimeSpan.FromSeconds(1),
        };
        var progress = new List<IReadOnlyDictionary<(string Topic, int Partition), long>>();

        var spread = dispatcher.For(Restore(kafka.Broker.BootstrapServers), "KafkaRestore/ns/r#g1", () => false, NullLogger.Instance);
        var outcome = await spread(Plan(6), progress.Add, CancellationToken.None);

        Assert.NotNull(outcome);
        Assert.Equal("UnitsStalled", outcome.Failure?.Name);
        Assert.Contains("no unit of the 4 placed moved a checkpoint or ended for 00:00:03", outcome.Message, StringComparison.Ordinal);
        Assert.NotEmpty(progress);
        // Positive control of the withdrawal: the units were there while it waited (progress was reported), and are gone now.
        Assert.Empty(shared.ReadUnits(CancellationToken.None).Units);
    }

    [Fact]
    public async Task A_unit_that_fails_fails_the_attempt_with_its_reason_and_the_other_units_are_withdrawn()
    {
        using var setup = new Setup(kafka, _dir, 3);
        var shared = setup.Shared;
        using var member = new SharedRunState(setup.Client, setup.StateTopic, TimeSpan.FromSeconds(10), NullLogger.Instance);
        var dispatcher = new UnitDispatcher(setup.Slots, shared, setup.Store, TimeProvider.System, NullLogger.Instance)
        {
            PollInterval = TimeSpan.FromMilliseconds(200),
            WithdrawWait = TimeSpan.FromSeconds(1),
        };

        var spreading = dispatcher.For(Restore(kafka.Broker.BootstrapServers), "KafkaRestore/ns/r#g1", () => false, NullLogger.Instance)(Plan(6), _ => { }, CancellationToken.None);
        var guard = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IReadOnlyList<RestoreUnit> placed = [];
        while ((placed = member.ReadUnits(CancellationToken.None).Units).Count < 3 && DateTime.UtcNow < guard) await Task.Delay(100);
        Assert.Equal([0, 1, 2], placed.Select(u => u.Slot).Order());
        Assert.Equal(2, placed.Single(u => u.Slot == 1).Partitions.Count);
        var unit = placed.Single(u => u.Slot == 1);
        member.PublishUnitResult(new UnitResult(unit.Run, unit.Slot, unit.Dispatch, "node-b", "Failed", "RecordTooLarge", "a record of 2 MB at orders[1] offset 7", 2, 0), () => true);
        var outcome = await spreading;

        Assert.NotNull(outcome);
        Assert.Equal("RecordTooLarge", outcome.Failure?.Name);
        Assert.Equal("the unit of slot 1 (2 partitions) failed on node-b: a record of 2 MB at orders[1] offset 7", outcome.Message);
        Assert.Empty(member.ReadUnits(CancellationToken.None).Units);
    }

    [Fact]
    public async Task Without_a_units_topic_nothing_is_spread()
    {
        using var setup = new Setup(kafka, _dir, 0);
        var shared = setup.Shared;
        var dispatcher = setup.Dispatcher();

        var outcome = await dispatcher.For(Restore(kafka.Broker.BootstrapServers), "KafkaRestore/ns/r#g1", () => false, NullLogger.Instance)(Plan(6), _ => { }, CancellationToken.None);

        Assert.Null(outcome);
        Assert.Empty(shared.ReadUnits(CancellationToken.None).Units);
    }

    [Fact]
    public async Task A_restore_below_CoordinationSpreadMinRecords_is_left_to_the_leader_and_one_at_it_is_spread()
    {
        using var setup = new Setup(kafka, _dir, 4);
        var shared = setup.Shared;
        var dispatcher = new UnitDispatcher(setup.Slots, shared, setup.Store, TimeProvider.System, NullLogger.Instance) { MinRecords = 1200, PollInterval = TimeSpan.FromMilliseconds(200) };
        var restore = Restore(kafka.Broker.BootstrapServers);

        // 6 partitions of 199 records: 1,194, below 1,200.
        var below = await dispatcher.For(restore, "KafkaRestore/ns/r#g1", () => false, NullLogger.Instance)(Plan(6, 199), _ => { }, CancellationToken.None);

        Assert.Null(below);
        Assert.Empty(shared.ReadUnits(CancellationToken.None).Units);

        // 6 partitions of 200: 1,200, spread in the 4 slots (the run waits for members; none runs here, so it is stopped).
        using var stop = new CancellationTokenSource();
        var at = dispatcher.For(restore, "KafkaRestore/ns/r#g2", () => false, NullLogger.Instance)(Plan(6, 200), _ => { }, stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (shared.ReadUnits(CancellationToken.None).Units.Count(u => u.Run == "KafkaRestore/ns/r#g2") < 4 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => at);
        Assert.Equal([0, 1, 2, 3], shared.ReadUnits(CancellationToken.None).Units.Where(u => u.Run == "KafkaRestore/ns/r#g2").Select(u => u.Slot).Order());
    }
}
