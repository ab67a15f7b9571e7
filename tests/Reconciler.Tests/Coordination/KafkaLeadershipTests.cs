using System.Diagnostics;
using Confluent.Kafka;
using KafkaRestored.Reconciler.Coordination;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Tests.Coordination;

/// <summary>
/// <see cref="KafkaLeadership"/> against the hosted mock cluster (its own, so no other test's commits take the queued
/// errors): one member of a group leads, a second does not until the first leaves, and the coordinator's answer to
/// the confirmation commit decides: an unknown member is a no at once, a rebalance in progress is waited out.
/// </summary>
public sealed class KafkaLeadershipTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>
{
    private const short OffsetCommitApi = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private KafkaLeadership Member(string topic, string group, string instance) =>
        new(new ClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }, group, topic, instance, TimeSpan.FromSeconds(6), TimeProvider.System, NullLogger.Instance);

    private (string Topic, string Group) Names()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var topic = "coordination-" + suffix;
        kafka.Broker.CreateTopic(topic, 1);
        return (topic, "group-" + suffix);
    }

    private static async Task UntilAsync(string what, Func<Task<bool>> condition)
    {
        var guard = Stopwatch.StartNew();
        while (!await condition())
        {
            if (guard.Elapsed > Patience) Assert.Fail("timed out waiting until " + what);
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task One_of_two_members_leads_and_the_other_leads_once_the_first_leaves()
    {
        var (topic, group) = Names();
        var a = Member(topic, group, "node-a");
        using var b = Member(topic, group, "node-b");
        try
        {
            a.Start();
            await UntilAsync("node-a leads", () => a.ConfirmAsync(CancellationToken.None));
            b.Start();
            // However far node-b's join has come, partition 0 stays with node-a (cooperative-sticky), and the rebalance
            // it makes (the coordinator answers node-a's commits with an old generation meanwhile) does not depose node-a.
            for (var i = 0; i < 20; i++)
            {
                Assert.False(await b.ConfirmAsync(CancellationToken.None));
                Assert.True(await a.ConfirmAsync(CancellationToken.None), a.State.Reason);
                await Task.Delay(200);
            }
            Assert.Contains("another instance holds partition 0", b.State.Reason, StringComparison.Ordinal);
            Assert.True(await a.ConfirmAsync(CancellationToken.None), a.State.Reason);
            Assert.Equal(("leader", "member"), (a.State.Role, b.State.Role));
        }
        finally
        {
            a.Dispose();
        }
        await UntilAsync("node-b leads after node-a left", () => b.ConfirmAsync(CancellationToken.None));
        Assert.Equal(1, b.State.Changes);
    }

    [Fact]
    public async Task An_unknown_member_answer_is_a_no_at_once_and_a_rebalance_answer_is_not()
    {
        var (topic, group) = Names();
        using var a = Member(topic, group, "node-a");
        a.Start();
        await UntilAsync("node-a leads", () => a.ConfirmAsync(CancellationToken.None));

        kafka.Broker.PushRequestErrors(OffsetCommitApi, ErrorCode.RebalanceInProgress);
        Assert.True(await a.ConfirmAsync(CancellationToken.None));


        kafka.Broker.PushRequestErrors(OffsetCommitApi, ErrorCode.UnknownMemberId);
        Assert.False(await a.ConfirmAsync(CancellationToken.None));
        Assert.Equal("member", a.State.Role);
        Assert.Contains("UnknownMemberId", a.State.Reason, StringComparison.Ordinal);

        // Still the only member: it rejoins, gets partition 0 again and leads.
        await UntilAsync("node-a leads again", () => a.ConfirmAsync(CancellationToken.None));
        Assert.Equal(3, a.State.Changes);
    }
}
