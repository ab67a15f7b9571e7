using KafkaRestored.Reconciler.State;
using KafkaRestored.TestSupport;
using LiteDB;

namespace KafkaRestored.Reconciler.Tests.State;

/// <summary>Writes a state.db as releases before issue 19 did: the same documents and indexes, in a file
/// created with LiteDB's default collation, which matches ids case-insensitively.</summary>
internal static class PreviousReleaseState
{
    /// <summary>Fills a store through today's code, then copies every document into <paramref name="directory"/>/state.db in the old format.</summary>
    public static void Write(string directory, Action<StateStore> fill)
    {
        using var scratch = new TempDir();
        using (var store = StateStore.Open(scratch.Path)) fill(store);
        Directory.CreateDirectory(directory);
        using var source = new LiteDatabase(new ConnectionString { Filename = Path.Combine(scratch.Path, StateStore.FileName), ReadOnly = true });
        using var old = new LiteDatabase(new ConnectionString { Filename = Path.Combine(directory, StateStore.FileName), Connection = ConnectionType.Direct });
        foreach (var name in source.GetCollectionNames())
            old.GetCollection(name).InsertBulk(source.GetCollection(name).FindAll());
        old.GetCollection("resources").EnsureIndex("tombstone");
    }
}
