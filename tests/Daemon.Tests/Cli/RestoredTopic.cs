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

    /// <summary>
    /// A copy of a backup downloaded from a store holds the folder backup's files under the same relative names,
    /// <c>backup describe --verify</c> (run through <paramref name="cli"/>) passes on it, and the tests' own reader decodes it
    /// into the folder backup's records.
    /// </summary>
    public static void AssertCopyLikeFolder(string folder, string copy, IReadOnlyCollection<string> names, string backupId, Func<string[], ProcessResult> cli)
    {
        var folderFiles = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'));
        Assert.Equal(folderFiles.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        Assert.Contains($"{backupId}/manifest.json", names);
        var verify = cli(["backup", "describe", "--backup-id", backupId, "--verify", "--path", copy]);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        Assert.Contains("verified: 2 segment(s)", verify.StdOut, StringComparison.Ordinal);
        // The tests' own reader (not the product's) decodes the copy into the same records as the folder backup.
        static string Flat(Dictionary<(string Topic, int Partition), List<IndependentKbak.Record>> backup) => string.Join('\n', backup
            .OrderBy(p => p.Key.Topic, StringComparer.Ordinal).ThenBy(p => p.Key.Partition)
            .SelectMany(p => p.Value.Select(r => $"{p.Key.Topic}[{p.Key.Partition}]@{r.Offset} {r.Timestamp} {Convert.ToHexString(r.Key ?? [])} {Convert.ToHexString(r.Value ?? [])}")));
        var copied = IndependentKbak.Read(copy, backupId);
        Assert.NotEmpty(copied.Values.SelectMany(r => r));
        Assert.Equal(Flat(IndependentKbak.Read(folder, backupId)), Flat(copied));
    }

    /// <summary><c>restore -f</c> completed, and what it wrote matches the original topic (<see cref="AssertLikeOriginal"/>).</summary>
    public static void AssertRestoreCompleted(ProcessResult restore, string bootstrap, string originalTopic, string restoredTopic, int partitions, int count)
    {
        Assert.True(restore.ExitCode == 0, restore.StdOut + restore.StdErr);
        Assert.Contains("phase: Completed", restore.StdOut, StringComparison.Ordinal);
        AssertLikeOriginal(bootstrap, originalTopic, restoredTopic, partitions, count);
    }
}
