using System.Diagnostics;
using Confluent.Kafka;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Distributed;

/// <summary>
/// What librdkafka's mock cluster (the hosted test broker) serves for distributed mode: consumer-group membership
/// (JoinGroup/SyncGroup/Heartbeat), session expiry of a SIGKILLed or SIGSTOPped member, rebalance callbacks, the
/// coordinator's check of a member's generation on commit, and transactional fencing. docs/distributed.md quotes these.
/// </summary>
public sealed class MockClusterCapabilityTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>
{
    private const int SessionMs = 6000;
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_members_share_one_partition_a_join_rebalances_and_a_leave_hands_it_over()
    {
        var (topic, group) = Names("cap-join");
        using var a = new GroupMember(kafka.Broker.BootstrapServers, group, topic, SessionMs, "a");
        await Until("a holds partition 0", () => a.Assigned.SequenceEqual([0]));
        using (var b = new GroupMember(kafka.Broker.BootstrapServers, group, topic, SessionMs, "b"))
        {
            // b's join makes a rebalance that a takes part in (an empty incremental assignment), and the sticky assignor leaves 0 with a.
            await Until("b joined (its assigned callback ran)", () => b.Events.Any(e => e.StartsWith("assigned", StringComparison.Ordinal)));
            await Until("a saw the rebalance", () => a.Events.Count(e => e.StartsWith("assigned", StringComparison.Ordinal)) >= 2);
            Assert.Equal([0], a.Assigned);
            Assert.Empty(b.Assigned);
            Assert.Equal(ErrorCode.NoError, a.TryCommit(topic, 1));
            log.WriteLine($"a: {string.Join(" | ", a.Events)}; b: {string.Join(" | ", b.Events)}");
            a.Dispose();
            var left = Stopwatch.StartNew();
            await Until("b holds 0 after a left", () => b.Assigned.SequenceEqual([0]));
            log.WriteLine($"handover after LeaveGroup: {left.ElapsedMilliseconds} ms");
        }
    }

    [Fact]
    public async Task A_SIGKILLed_member_loses_its_partition_once_its_session_times_out()
    {
        var (topic, group) = Names("cap-kill");
        using var old = new KcatMember(kafka.Broker.BootstrapServers, group, topic, SessionMs);
        await Until("kcat holds 0", () => old.Holds0);
        using var b = new GroupMember(kafka.Broker.BootstrapServers, group, topic, SessionMs, "b");
        await Until("b joined", () => b.Events.Any(e => e.StartsWith("assigned", StringComparison.Ordinal)));
        Assert.Empty(b.Assigned);
        old.Kill();
        var killed = Stopwatch.StartNew();
        await Until("b holds 0 after the kill", () => b.Assigned.SequenceEqual([0]));
        log.WriteLine($"takeover {killed.ElapsedMilliseconds} ms after SIGKILL (session timeout {SessionMs} ms)");
    }

    [Fact]
    public async Task A_SIGSTOPped_member_loses_its_partition_and_after_SIGCONT_is_told_so()
    {
        var (topic, group) = Names("cap-stop");
        using var old = new KcatMember(kafka.Broker.BootstrapServers, group, topic, SessionMs);
        await Until("kcat holds 0", () => old.Holds0);
        using var b = new GroupMember(kafka.Broker.BootstrapServers, group, topic, SessionMs, "b");
        await Until("b joined", () => b.Events.Any(e => e.StartsWith("assigned", StringComparison.Ordinal)));
        Assert.Empty(b.Assigned);
        SteppedProcess.Stop(old.Id);
        try
        {
            var stopped = Stopwatch.StartNew();
            await Until("b holds 0 while kcat is stopped", () => b.Assigned.SequenceEqual([0]));
            log.WriteLine($"takeover {stopped.ElapsedMilliseconds} ms after SIGSTOP");
        }
        finally
        {
            SteppedProcess.Continue(old.Id);
        }
        // On waking, the old member's heartbeat is refused and it learns that its partition is gone (or rejoins and gets nothing).
        await Until("kcat gave up partition 0", () => old.Log.Contains("revoke of 1 partition", StringComparison.Ordinal) || old.Log.Contains("lost", StringComparison.OrdinalIgnoreCase));
        await Until("kcat rejoined", () => old.Log.Split("incremental assignment").Length >= 3);
        Assert.Equal([0], b.Assigned);
        log.WriteLine(old.Log);
    }

    /// <summary>The gap: the mock bumps the epoch for a second InitTransactions but accepts the first producer's next transaction.</summary>
    [Fact]
    public void The_mock_does_not_fence_an_older_producer_with_the_same_transactional_id()
    {
        var (fenced, values) = ZombieTransaction(kafka.Broker.BootstrapServers);
        Assert.Null(fenced);
        Assert.Contains("first-2 (zombie)", values);
    }

    [RealClusterFact("the mock accepts a fenced producer's transaction (see the test above)")]
    public void On_a_real_cluster_a_second_producer_with_the_same_transactional_id_fences_the_first()
    {
        var (fenced, values) = ZombieTransaction(RealClusterFactAttribute.Bootstrap!);
        Assert.NotNull(fenced);
        Assert.DoesNotContain("first-2 (zombie)", values);
    }

    /// <summary>Two producers with one transactional id: the older one tries a transaction after the newer one's InitTransactions. Returns the older one's error (null: none) and what a reader sees.</summary>
    private (KafkaException? Fenced, List<string?> Values) ZombieTransaction(string bootstrap)
    {
        var topic = "cap-txn-" + Guid.NewGuid().ToString("N")[..8];
        if (bootstrap == kafka.Broker.BootstrapServers) kafka.Broker.CreateTopic(topic, 1);
        var id = "txn-" + Guid.NewGuid().ToString("N")[..8];
        using var first = Transactional(bootstrap, id);
        first.InitTransactions(Generous);
        first.BeginTransaction();
        first.Produce(topic, new Message<string, string> { Key = "k", Value = "first-1" });
        first.CommitTransaction(Generous);
        using var second = Transactional(bootstrap, id);
        second.InitTransactions(Generous);
        KafkaException? fenced = null;
        try
        {
            first.BeginTransaction();
            first.Produce(topic, new Message<string, string> { Key = "k", Value = "first-2 (zombie)" });
            first.CommitTransaction(Generous);
        }
        catch (KafkaException e)
        {
            fenced = e;
        }
        log.WriteLine(fenced is null ? "zombie: not fenced" : $"zombie: {fenced.Error.Code} {fenced.Error.Reason} fatal={fenced.Error.IsFatal}");
        second.BeginTransaction();
        second.Produce(topic, new Message<string, string> { Key = "k", Value = "second-1" });
        second.CommitTransaction(Generous);
        var values = Kcat.ReadTopic(bootstrap, topic, new Dictionary<string, string> { ["isolation.level"] = "read_committed" }).Select(r => r.Value).ToList();
        log.WriteLine("topic: " + string.Join(", ", values));
        Assert.Contains("second-1", values);
        return (fenced, values);
    }

    private static IProducer<string, string> Transactional(string bootstrap, string id) =>
        new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, TransactionalId = id }).Build();

    private (string Topic, string Group) Names(string prefix) => (kafka.Broker.CreateUniqueTopic(prefix, 1), prefix + "-" + Guid.NewGuid().ToString("N")[..8]);

    private static async Task Until(string what, Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > Generous) Assert.Fail("timed out waiting until " + what);
            await Task.Delay(50);
        }
    }
}
