using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Tests.Engine;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Hostile;

/// <summary>The same key rules on S3 (s3rver): a key outside <c>{backupId}/</c> of the prefix fails before any object but the manifest is read.</summary>
public sealed class S3KeyEscapeTests(KafkaFixture kafka, S3rverFixture s3) : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData("{0}/../other-backup/topics/orders/partition=0/segment-00000000000000000000.bin")]
    [InlineData("other-backup/topics/orders/partition=0/segment-00000000000000000000.bin")]
    [InlineData("/{0}/topics/orders/partition=0/segment-00000000000000000000.bin")]
    public async Task A_key_leaving_the_backups_prefix_fails_with_InvalidBackupManifest(string pattern)
    {
        await _s.UseAsync(BackupBackend.S3, s3);
        var key = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, _s.BackupId);
        var manifest = new BackupManifest(_s.BackupId, 1, null, ["source:9092"], "none",
            [new TopicBackup("orders", 1, [new PartitionBackup(0, [new SegmentInfo(key, 0, 0, 1, 1, 1, 40, 60)], null)])]);
        await BackupManifestStore.WriteAsync(_s.Storage, manifest, CancellationToken.None);
        var topic = kafka.Broker.CreateUniqueTopic("s3-escape", 1);

        var result = await _s.RunAsync(_s.Restore(s => s with { TopicMapping = new KafkaRestored.Restore.Resources.Model.ValueMap(new Dictionary<string, string> { ["orders"] = topic }) }));

        Assert.Equal((RestoreOutcome.Failed, "InvalidBackupManifest"), (result.Outcome, result.Reason));
        Assert.Contains($"s3://{_s.StorageSpec.S3!.Bucket}/production/hourly/{_s.BackupId}/manifest.json", result.Message, StringComparison.Ordinal);
        Assert.Contains($"'{key}'", result.Message, StringComparison.Ordinal);
        Assert.Equal([0L], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, topic, 1));
    }
}
