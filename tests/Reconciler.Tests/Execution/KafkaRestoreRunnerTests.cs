using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaRestored.Reconciler.Tests.Execution;

/// <summary>The KafkaRestore runner on the hosted broker: what it reports to the status while it runs.</summary>
public sealed class KafkaRestoreRunnerTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private readonly TempDir _dir = new("kr-runner");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_resumed_run_never_reports_less_progress_than_the_target_already_holds()
    {
        const int partitions = 2;
        const int perPartition = 500;
        var topic = kafka.Broker.CreateUniqueTopic("runner-progress", partitions);
        var backups = _dir.Combine("backups");
        var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < partitions; p++)
            records[(topic, p)] = [.. Enumerable.Range(0, perPartition).Select(i => RestoreKit.Record(i, 1_700_000_000_000 + i, $"k{i}", $"v{p}-{i}"))];
        await RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(backups), "backup-1", records, new Dictionary<string, int> { [topic] = partitions });
        var restore = RestoreKit.Restore("backup-1", kafka.Broker.BootstrapServers, RestoreKit.Filesystem(backups), name: "progress");
        using var store = StateStore.Open(_dir.Combine("state"));
        var runner = new KafkaRestoreRunner();

        var first = await RunAsync(runner, restore, store, attempt: 1);
        Assert.Equal(RunResult.Succeeded, first.Outcome.Result);

        // The daemon restarted after every record landed: the second run finds them in the target.
        var second = await RunAsync(runner, restore, store, attempt: 1);
        Assert.Equal(RunResult.Succeeded, second.Outcome.Result);
        Assert.NotEmpty(second.Reports);
        Assert.All(second.Reports, r => Assert.Equal(partitions * perPartition, r.Progress!.RecordsDone));
        Assert.Equal(partitions * perPartition, RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, partitions).Sum());
    }

    private static async Task<(RunOutcome Outcome, List<KafkaRestoreStatus> Reports)> RunAsync(KafkaRestoreRunner runner, KafkaRestore restore, StateStore store, int attempt)
    {
        var reports = new List<KafkaRestoreStatus>();
        var id = new ResourceId(ResourceKinds.KafkaRestore, restore.Metadata.Namespace, restore.Metadata.Name);
        var context = new RunContext(id, 1, attempt, "0000000000000000000000000000000000000000", store, null, new SecretStore(null), TimeProvider.System,
            NullLogger.Instance, status => reports.Add((KafkaRestoreStatus)status));
        var outcome = await runner.RunAsync(restore, context, CancellationToken.None);
        return (outcome, reports);
    }
}
