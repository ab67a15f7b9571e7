using System.Collections.Concurrent;
using KafkaRestored.Restore.Resources.Model;

namespace KafkaRestored.Restore.Workflows;

/// <summary>
/// The resources this process is working on now (every workflow enters its own), so an exception
/// nothing caught can say, in the last line the process writes, what it was doing.
/// </summary>
public static class ResourcesAtWork
{
    private static readonly ConcurrentDictionary<long, ResourceId> Entries = new();
    private static long s_next;

    /// <summary>Records that <paramref name="id"/> is being worked on until the result is disposed.</summary>
    public static IDisposable Enter(ResourceId id)
    {
        var key = Interlocked.Increment(ref s_next);
        Entries[key] = id;
        return new Exit(key);
    }

    /// <summary>The resources being worked on, each once, in the order work on them began.</summary>
    public static IReadOnlyList<ResourceId> Current =>
        [.. Entries.OrderBy(e => e.Key).Select(e => e.Value).Distinct()];

    private sealed class Exit(long key) : IDisposable
    {
        public void Dispose() => Entries.TryRemove(key, out _);
    }
}
