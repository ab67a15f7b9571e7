using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Cli;

/// <summary>The check of a CLI round trip through a store: what <c>restore -f</c> wrote matches the topic that was backed up.</summary>
internal static class RestoredTopic
{
    /// <summary>
    /// <paramref name="restoredTopic"/> holds <paramref name="count"/> records, each partition the same offsets, timestamps and
    /// values as <paramref name="originalTopic"/>, read back with an independent consumer.
    /// </summary>
    public static void AssertLikeOriginal(string bootstrap, string originalTopic, string restoredTopic, int partitions, int count)
    {
        var restored = RestoreKit.ReadTopic(bootstrap, restoredTopic, partitions);
        var original = RestoreKit.ReadTopic(bootstrap, originalTopic, partitions);
        Assert.Equal(count, restored.Count);
        Assert.Equal(original.Select(r => (r.Partition, r.Offset, r.Timestamp, Convert.ToHexString(r.Value!))),
            restored.Select(r => (r.Partition, r.Offset, r.Timestamp, Convert.ToHexString(r.Value!))));
    }
}
