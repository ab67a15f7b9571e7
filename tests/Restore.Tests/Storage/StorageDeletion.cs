using KafkaRestored.Restore.Storage;
using KafkaRestored.Restore.Workflows;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>The deletion check every storage passes (issue #24, retention): one backup's objects go, its neighbours' stay, a missing key is no error.</summary>
internal static class StorageDeletion
{
    public static async Task DeletesOneBackupAndNothingElseAsync(IBackupStorage storage)
    {
        string[] mine = ["nightly-1/manifest.json", "nightly-1/kafka-restored-owner.json", "nightly-1/topics/orders/partition=0/segment-00000000000000000000.bin"];
        string[] neighbours = ["nightly-10/manifest.json", "nightly-2/topics/orders/partition=0/segment-00000000000000000000.bin"];
        foreach (var key in mine.Concat(neighbours)) await storage.WriteAsync(key, new MemoryStream([1, 2, 3]), CancellationToken.None);

        await KafkaBackupRetention.DeleteAsync(storage, "nightly-1", CancellationToken.None);
        await storage.DeleteAsync("nightly-1/never-written", CancellationToken.None);

        var left = new List<string>();
        await foreach (var key in storage.ListAsync("nightly-", CancellationToken.None)) left.Add(key);
        Assert.Equal(neighbours, left.Order(StringComparer.Ordinal));
        foreach (var key in mine) Assert.False(await storage.ExistsAsync(key, CancellationToken.None), key);
    }
}
