using KafkaRestored.Restore.Storage;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>Reading a whole object or listing through any <see cref="IBackupStorage"/>, as the cloud storage tests check them.</summary>
internal static class StorageReads
{
    /// <summary>Every key under <paramref name="prefix"/>.</summary>
    public static async Task<List<string>> ListAsync(IBackupStorage storage, string prefix)
    {
        var keys = new List<string>();
        await foreach (var k in storage.ListAsync(prefix, CancellationToken.None)) keys.Add(k);
        return keys;
    }

    /// <summary>The whole object, read through the storage's stream.</summary>
    public static async Task<byte[]> ReadAllAsync(IBackupStorage storage, string key)
    {
        await using var s = await storage.OpenReadAsync(key, CancellationToken.None);
        var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }

    /// <summary>A forward-only stream, as the backup writer hands over.</summary>
    public sealed class NonSeekable(byte[] data) : MemoryStream(data, writable: false)
    {
        public override bool CanSeek => false;
    }
}
