using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;

namespace KafkaRestored.Daemon.Cli;

/// <summary>
/// The groups <c>restore -f</c> has reset after a completed restore, one a line in
/// &lt;state-dir&gt;/&lt;run&gt;/offset-reset-groups. Running the command again resets only the groups
/// not reset yet (say, refused for active members the first time): the others' consumers may
/// have moved on since.
/// </summary>
internal sealed class OffsetResetMarker(string path, TextWriter error)
{
    /// <summary>The groups of <paramref name="reset"/> not reset yet; null when every one was.</summary>
    public async Task<IReadOnlyList<string>?> RemainingAsync(OffsetResetSpec reset, CancellationToken ct)
    {
        var done = File.Exists(path) ? (await File.ReadAllLinesAsync(path, ct)).ToHashSet(StringComparer.Ordinal) : [];
        var remaining = reset.ConsumerGroups.Where(g => !done.Contains(g)).ToList();
        if (done.Count > 0)
        {
            await error.WriteLineAsync($"note: offsets of {string.Join(", ", reset.ConsumerGroups.Where(done.Contains))} were already reset when this restore completed ({path}); not reset again. Use kafka-restored offsets reset -f to reset them now.");
            if (remaining.Count == 0) return null;
        }
        return remaining;
    }

    /// <summary>Adds the groups <paramref name="status"/> reset.</summary>
    public async Task RecordAsync(OffsetResetStatus? status, CancellationToken ct)
    {
        if (status is not { GroupsReset.Count: > 0 }) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.AppendAllLinesAsync(path, status.GroupsReset, CancellationToken.None);
    }
}
