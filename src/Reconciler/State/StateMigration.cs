using LiteDB;

namespace KafkaRestored.Reconciler.State;

/// <summary>Converts a state file written by an earlier release to the form this build reads.</summary>
internal static class StateMigration
{
    /// <summary>
    /// Rewrites a file created by an earlier release with LiteDB's default collation, which matches
    /// strings case-insensitively: "KafkaRestorE/ns/a" found and overwrote the record "KafkaRestore/ns/a".
    /// Every collection and index is copied into a new file with the ordinal collation, which then
    /// replaces the old one by an atomic rename: a crash at any point leaves either file whole.
    /// </summary>
    public static void MigrateToOrdinal(string path)
    {
        var directory = System.IO.Path.GetDirectoryName(path)!;
        var temp = System.IO.Path.Combine(directory, "state-migrating.db");
        foreach (var leftover in new[] { temp, System.IO.Path.Combine(directory, "state-migrating-log.db") })
            File.Delete(leftover);
        using (var old = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }))
        using (var fresh = new LiteDatabase(new ConnectionString { Filename = temp, Connection = ConnectionType.Direct, Collation = Collation.Binary }))
        {
            var indexes = old.GetCollection("$indexes").FindAll().ToList();
            foreach (var name in old.GetCollectionNames())
            {
                var target = fresh.GetCollection(name);
                target.InsertBulk(old.GetCollection(name).FindAll());
                foreach (var index in indexes.Where(i => i["collection"].AsString == name && i["name"].AsString != "_id"))
                    target.EnsureIndex(index["name"].AsString, BsonExpression.Create(index["expression"].AsString), index["unique"].AsBoolean);
            }
            fresh.Checkpoint();
            old.Checkpoint();
        }
        // LiteDB deletes an empty log on close; a log left over would belong to the old file's pages.
        var log = System.IO.Path.Combine(directory, System.IO.Path.GetFileNameWithoutExtension(path) + "-log" + System.IO.Path.GetExtension(path));
        if (File.Exists(log))
            throw new StateStoreException("StateMigrationFailed",
                $"The state store {path} could not be converted to byte-for-byte ids: its write-ahead log {log} was not emptied. " +
                "Nothing was changed; stop every other kafka-restored process using it and start again.");
        File.Move(temp, path, overwrite: true);
    }
}
