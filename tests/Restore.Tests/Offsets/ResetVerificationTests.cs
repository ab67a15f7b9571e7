using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Offsets;

/// <summary>
/// "verified" in the status of every reset (each strategy, and a KafkaRestore's own reset) means
/// the offsets read back equal what was computed (issue #15 item 1), as it does for a rollback.
/// </summary>
public sealed class ResetVerificationTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly OffsetTestKit _kit = new(kafka.Broker.BootstrapServers);
    private readonly TempDir _dir = new();

    public void Dispose()
    {
        _kit.Dispose();
        _dir.Dispose();
    }

    private static string Group(string name) => $"{name}-{Guid.NewGuid():N}"[..24];

    public static TheoryData<OffsetResetStrategy, long[]> Strategies => new()
    {
        { OffsetResetStrategy.Earliest, [0, 0, 0] },
        { OffsetResetStrategy.Latest, [5, 0, 12] },
        { OffsetResetStrategy.Offset, [3, 0, 3] },
        // The test broker answers no offset for any time, which means "none at or after": the end.
        { OffsetResetStrategy.Timestamp, [5, 0, 12] },
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task Each_strategy_is_verified_with_what_it_committed_and_a_planted_change_is_not(OffsetResetStrategy strategy, long[] expected)
    {
        var topic = kafka.Broker.CreateUniqueTopic("verify", 3);
        _kit.Produce(topic, 0, 5);
        _kit.Produce(topic, 2, 12);
        OffsetResetRequest Request(string group) => new()
        {
            Strategy = strategy,
            Groups = [group],
            Topics = [topic],
            Offset = 3,
            Timestamp = OffsetTestKit.BaseTime,
        };
        var group = Group("ok");

        var result = await new OffsetResetter(_kit.Cluster, new SecretStore(null)) { Timeout = TimeSpan.FromSeconds(10) }
            .ResetAsync(Request(group), CancellationToken.None);

        var status = OffsetStatusMapping.ToStatus(result);
        Assert.Equal(ResourcePhase.Completed, status.Phase);
        Assert.True(status.Verification!.Verified, status.Verification.Message);
        Assert.Equal([.. expected.Select(e => (long?)e)], await _kit.CommittedAsync(group, topic, 3));

        // Something else commits between the commit and the read-back: not verified, and which partition says so.
        var planted = Group("planted");
        var bad = await new OffsetResetter(_kit.Cluster, new SecretStore(null))
        {
            Timeout = TimeSpan.FromSeconds(10),
            BeforeReadBack = async (g, _) => await _kit.CommitAsync(g, (topic, 1, 7)),
        }.ResetAsync(Request(planted), CancellationToken.None);

        var badStatus = OffsetStatusMapping.ToStatus(bad);
        Assert.Equal(ResourcePhase.Failed, badStatus.Phase);
        Assert.False(badStatus.Verification!.Verified);
        Assert.Equal([new OffsetMismatch(planted, topic, 1, expected[1], 7)], badStatus.Verification.Mismatches);
    }

    [Fact]
    public async Task A_restores_own_reset_reports_verified_only_for_what_was_read_back()
    {
        var target = kafka.Broker.CreateUniqueTopic("restored-verify", 2);
        var maps = new[]
        {
            _kit.Restore("orders", target, 0, [10, 11, 12]),
            _kit.Restore("orders", target, 1, [0, 1]),
        };
        var reset = Group("after-restore");
        var restore = RestoreKit.Restore("b1", kafka.Broker.BootstrapServers, RestoreKit.Filesystem(_dir.Path), spec => spec with
        {
            OffsetReset = new OffsetResetSpec(true, OffsetResetStrategy.Latest, null, new ValueList<string>([reset]), null, null),
        });

        var result = await RestoreOffsets.ResetAfterRestoreAsync(restore, maps, new SecretStore(null), null, CancellationToken.None);

        var status = OffsetStatusMapping.ToRestoreStatus(result!);
        Assert.Equal(ResourcePhase.Completed, status.Phase);
        Assert.True(status.Verification!.Verified, status.Verification.Message);
        Assert.Equal([3L, 2L], await _kit.CommittedAsync(reset, target, 2));

        // Positive control: a reset that cannot run at all is never reported as verified.
        var broken = RestoreKit.Restore("b1", "127.0.0.1:1", RestoreKit.Filesystem(_dir.Path), spec => spec with
        {
            OffsetReset = new OffsetResetSpec(true, OffsetResetStrategy.HeaderBased, null, new ValueList<string>([reset]), null, null),
        });
        var (failed, _) = await RestoreOffsets.ResetStatusAfterRestoreAsync(broken, maps, new SecretStore(null), CancellationToken.None);
        Assert.Equal(ResourcePhase.Failed, failed!.Phase);
        Assert.NotEqual(true, failed.Verification?.Verified);
    }
}
