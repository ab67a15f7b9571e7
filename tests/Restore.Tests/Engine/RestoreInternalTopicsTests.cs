using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>Internal targets the engine only learns from the manifest (no spec.topics): refused unless the policy allows them, before anything is written.</summary>
public sealed class RestoreInternalTopicsTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private Task<RestoreResult> RunAsync(KafkaRestore restore, HostPolicy? policy) =>
        EngineRuns.RunAsync(restore, new RestoreEnvironment(new SecretStore(null), _s.State, "default/" + Guid.NewGuid().ToString("N"))
        {
            Tuning = EngineScenario.FastTuning,
            Policy = policy,
        }, null, CancellationToken.None);

    [Fact]
    public async Task A_backup_topic_that_would_land_in_an_internal_topic_fails_with_PolicyDenied_and_writes_nothing()
    {
        var orders = kafka.Broker.CreateUniqueTopic("orders", 1);
        await _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
        {
            [(orders, 0)] = [.. Enumerable.Range(0, 20).Select(i => RestoreKit.Record(i, 1000 + i, "k", "v"))],
            [("_schemas", 0)] = [RestoreKit.Record(0, 1000, "schema", "{}")],
        }, new Dictionary<string, int> { [orders] = 1, ["_schemas"] = 1 });

        var denied = await RunAsync(_s.Restore(), new HostPolicy(new Dictionary<string, PolicyEntry> { ["*"] = new() { InternalTopics = ["__*"] } }));

        Assert.Equal(RestoreOutcome.Failed, denied.Outcome);
        Assert.Equal(PolicyDenial.Reason, denied.Reason);
        Assert.Contains("internal topic _schemas", denied.Message, StringComparison.Ordinal);
        Assert.Contains("Policy:default:InternalTopics", denied.Message, StringComparison.Ordinal);
        Assert.Empty(Kcat.ReadTopic(kafka.Broker.BootstrapServers, orders));

        // Positive control: mapped to an ordinary topic, the same backup restores without any policy.
        var schemas = kafka.Broker.CreateUniqueTopic("schemas-copy", 1);
        var mapped = await RunAsync(_s.Restore(s => s with { TopicMapping = new ValueMap([KeyValuePair.Create("_schemas", schemas)]) }), null);
        RestoreSelectionTests.AssertCompleted(mapped);
        Assert.Equal(21, mapped.RestoredRecords);
    }
}
