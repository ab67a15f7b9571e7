using KafkaRestored.Restore.Engine;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// The scratch topics one drill has written into, kept across its runs (and across a crash) in the
/// restore state store under a key of the drill's own: a topic named there is the drill's own
/// leftover, and any other scratch topic holding records belongs to someone else. Each entry says
/// whether the drill brought the topic into being (then the drill deletes it) or found it empty.
/// </summary>
/// <param name="state">The store (LiteDB in the daemon, files for the CLI).</param>
/// <param name="key">A key that stays the same for every run of the drill (never a per-run restore key).</param>
public sealed class DrillScratchLedger(IRestoreStateStore state, string key)
{
    private const string Created = "drill-scratch/created";
    private const string FoundEmpty = "drill-scratch/found-empty";

    /// <summary>Every topic noted, with whether the drill created it.</summary>
    public IReadOnlyDictionary<string, bool> Load() =>
        state.GetCheckpoints(key).ToDictionary(c => c.TargetTopic, c => c.Fingerprint == Created, StringComparer.Ordinal);

    /// <summary>Notes <paramref name="topics"/> (topic, created by the drill) before anything is written to them; durable on return.</summary>
    public void Note(IEnumerable<(string Topic, bool Created)> topics, DateTimeOffset now) =>
        state.SaveCheckpoints(key, [.. topics.Select(t => new RestoreCheckpoint(t.Topic, t.Topic, 0, t.Created ? Created : FoundEmpty, 0, 0, 0, 0, null, false, now))]);

    /// <summary>Keeps only <paramref name="remaining"/> (the noted topics that still exist after the clean-up).</summary>
    public void Keep(IReadOnlySet<string> remaining, DateTimeOffset now)
    {
        var kept = Load().Where(e => remaining.Contains(e.Key)).Select(e => (e.Key, e.Value)).ToList();
        state.DeleteRun(key);
        if (kept.Count > 0) Note(kept, now);
    }
}
