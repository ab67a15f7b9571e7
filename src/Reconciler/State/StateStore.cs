using System.Globalization;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using LiteDB;

namespace KafkaRestored.Reconciler.State;

/// <summary>
/// The daemon's memory: one LiteDB file, <c>&lt;stateDir&gt;/state.db</c>, authoritative for what ran.
/// Writes that belong together go in one explicit transaction (autocommit inserts are ~100x slower).
/// LiteDB transactions are bound to a thread, so every write here is synchronous and serialized.
/// </summary>
public sealed class StateStore : IDisposable
{
    /// <summary>Schema this build writes. Opening a newer file is refused.</summary>
    public const int SchemaVersion = 1;

    /// <summary>File name inside the state directory.</summary>
    public const string FileName = "state.db";

    private const string ResourcesCollection = "resources";
    private const string SnapshotsCollection = "snapshots";
    private const string MetaCollection = "meta";

    private LiteDatabase _db;
    private readonly FileStream? _writerLock;

    // Set when the file failed an operation on I/O (a full disk): LiteDB then fails every later write with the same error,
    // even once there is room again (seen on a full tmpfs), so the next operation closes the database and opens it again,
    // which replays what its log holds. Guarded by _gate.
    private bool _reopen;
    private readonly Lock _gate = new();

    // The writer's copy of the resources collection, loaded on first use. The writer lock makes this
    // process the file's only writer and every change goes through Save or Forget, so the copy stays
    // exact; it spares a full collection scan (about 0.9 s at 10,000 resources) each time a cycle
    // plans, applies, publishes and schedules. Read-only openers (status, plan) read the file.
    private Dictionary<string, ResourceRecord>? _records;

    private readonly StateDiskReservation? _reservation;

    private StateStore(LiteDatabase db, string path, FileStream? writerLock)
    {
        _db = db;
        Path = path;
        _writerLock = writerLock;
        if (writerLock is not null)
            _reservation = new(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!,
                System.IO.Path.GetFileNameWithoutExtension(path) + "-log" + System.IO.Path.GetExtension(path)));
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>The underlying database, for persistence adapters of the restore engine in this assembly (use it under <see cref="Gate"/>).</summary>
    internal LiteDatabase Database
    {
        get
        {
            lock (_gate) return Usable();
        }
    }

    /// <summary>Serializes writes across threads (LiteDB transactions are per thread).</summary>
    internal Lock Gate => _gate;

    /// <summary>
    /// Opens (creating when missing) <c>state.db</c> in <paramref name="stateDirectory"/>. Read-only
    /// opening never creates anything. Throws <see cref="StateStoreException"/> for a file written by a
    /// newer schema or one another process holds.
    /// </summary>
    public static StateStore Open(string stateDirectory, bool readOnly = false)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(stateDirectory), FileName);
        if (readOnly && !File.Exists(path))
            throw new StateStoreException("StateStoreMissing",
                $"No state store at {path}: the daemon has not run with this state directory yet (check --state-dir).");
        FileStream? writerLock = null;
        if (!readOnly)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            // LiteDB's direct mode does not stop a second writer on Linux; two would corrupt the file.
            var lockPath = path + ".lock";
            try
            {
                writerLock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e)
            {
                throw new StateStoreException("StateStoreLocked",
                    $"The state store {path} is in use by another kafka-restored process (lock {lockPath}): stop it first, " +
                    "or use a command that only reads (status, plan).", e);
            }
        }
        LiteDatabase db;
        try
        {
            db = OpenDatabase(path, readOnly);
            // A file of a newer schema is refused below as it is, never rewritten.
            if (!readOnly && !IsOrdinal(db) && (db.GetCollection(MetaCollection).FindById("schema")?["version"].AsInt32 ?? 0) <= SchemaVersion)
            {
                db.Dispose();
                StateMigration.MigrateToOrdinal(path);
                db = OpenDatabase(path, readOnly);
            }
        }
        catch (IOException e)
        {
            writerLock?.Dispose();
            throw new StateStoreException("StateStoreUnreadable", $"Cannot open the state store {path}: {e.Message}", e);
        }
        catch (StateStoreException)
        {
            writerLock?.Dispose();
            throw;
        }
        var store = new StateStore(db, path, writerLock);
        try
        {
            store.CheckSchema(readOnly);
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    // A new file compares strings byte for byte; a file that exists keeps the collation in its header
    // (LiteDB refuses to open it with another one), so it is left unset for those.
    private static LiteDatabase OpenDatabase(string path, bool readOnly) => new(new ConnectionString
    {
        Filename = path,
        Connection = ConnectionType.Direct,
        ReadOnly = readOnly,
        Collation = File.Exists(path) ? null : Collation.Binary,
    });

    /// <summary>True when the file compares strings (ids, queried fields) byte for byte.</summary>
    internal static bool IsOrdinal(LiteDatabase db) => db.Collation.SortOptions == CompareOptions.Ordinal;

    private void CheckSchema(bool readOnly)
    {
        var meta = _db.GetCollection(MetaCollection);
        var doc = meta.FindById("schema");
        if (doc is null)
        {
            if (readOnly) return;
            InTransaction(() =>
            {
                meta.Upsert(new BsonDocument { ["_id"] = "schema", ["version"] = SchemaVersion });
                _db.GetCollection(ResourcesCollection).EnsureIndex("tombstone");
            });
            return;
        }
        var version = doc["version"].AsInt32;
        if (version > SchemaVersion)
            throw new StateStoreException("StateSchemaTooNew",
                $"The state store {Path} has schema version {version}, newer than this kafka-restored supports ({SchemaVersion}). " +
                "It was written by a newer release: run that release (or newer), or point --state-dir at another directory.");
    }

    /// <summary>The commit whose resources were last reconciled, or null before the first cycle.</summary>
    public string? LastProcessedCommit
    {
        get => GetMeta("lastProcessedCommit");
        set => SetMeta("lastProcessedCommit", value);
    }

    /// <summary>Reads a string setting kept by the daemon (e.g. the last processed commit).</summary>
    public string? GetMeta(string key)
    {
        var doc = Read(() => _db.GetCollection(MetaCollection).FindById(key));
        return doc is null || doc["value"].IsNull ? null : doc["value"].AsString;
    }

    /// <summary>Writes (or with null removes) a string setting.</summary>
    public void SetMeta(string key, string? value)
    {
        lock (_gate)
        {
            InTransaction(() =>
            {
                var meta = _db.GetCollection(MetaCollection);
                if (value is null) meta.Delete(key);
                else meta.Upsert(new BsonDocument { ["_id"] = key, ["value"] = value });
            });
        }
    }

    /// <summary>Every resource, tombstones included unless <paramref name="includeTombstones"/> is false.</summary>
    public IReadOnlyList<ResourceRecord> Resources(bool includeTombstones = true)
    {
        IEnumerable<ResourceRecord> records;
        if (IsWritable)
        {
            lock (_gate) records = [.. Cached().Values.Where(r => includeTombstones || !r.Tombstone)];
        }
        else
        {
            records = Read(() =>
            {
                var col = _db.GetCollection(ResourcesCollection);
                return (includeTombstones ? col.FindAll() : col.Find(Query.EQ("tombstone", false))).Select(ResourceDocuments.FromDocument).ToList();
            });
        }
        return [.. records.OrderBy(r => r.Id.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.Id.Namespace, StringComparer.Ordinal).ThenBy(r => r.Id.Name, StringComparer.Ordinal)];
    }

    /// <summary>The record of <paramref name="id"/>, or null.</summary>
    public ResourceRecord? Find(ResourceId id)
    {
        if (IsWritable)
        {
            lock (_gate) return Cached().GetValueOrDefault(Key(id));
        }
        var doc = Read(() => _db.GetCollection(ResourcesCollection).FindById(Key(id)));
        // A reader of a file not yet migrated matches ids case-insensitively: only the exact id is this resource.
        var found = doc is null ? null : ResourceDocuments.FromDocument(doc);
        return found?.Id == id ? found : null;
    }

    private Dictionary<string, ResourceRecord> Cached()
    {
        Usable();
        if (_records is not null) return _records;
        // Last one wins rather than throwing: no content of the file may stop the daemon from loading it.
        var records = new Dictionary<string, ResourceRecord>(StringComparer.Ordinal);
        foreach (var r in Read(() => _db.GetCollection(ResourcesCollection).FindAll().Select(ResourceDocuments.FromDocument).ToList())) records[Key(r.Id)] = r;
        return _records = records;
    }

    /// <summary>Inserts or replaces one record.</summary>
    public void Save(ResourceRecord record) => Save([record]);

    /// <summary>Inserts or replaces records in one transaction.</summary>
    public void Save(IEnumerable<ResourceRecord> records)
    {
        var list = records.ToList();
        lock (_gate)
        {
            InTransaction(() =>
            {
                var col = _db.GetCollection(ResourcesCollection);
                foreach (var r in list) col.Upsert(ResourceDocuments.ToDocument(r));
            });
            // Only once committed: a failed transaction leaves the copy as the file is.
            if (_records is not null)
            {
                foreach (var r in list) _records[Key(r.Id)] = r;
            }
        }
    }

    /// <summary>Records an offset snapshot. Throws KafkaRestoredException SnapshotExists when the id is taken (ids are never reused).</summary>
    public void SaveSnapshot(OffsetSnapshot snapshot)
    {
        lock (_gate)
        {
            if (Read(() => _db.GetCollection(SnapshotsCollection).FindById(snapshot.Id)) is { } existing) throw OffsetSnapshotErrors.Exists(ReadSnapshot(existing));
            InTransaction(() => _db.GetCollection(SnapshotsCollection).Insert(new BsonDocument
            {
                ["_id"] = snapshot.Id,
                ["takenAt"] = ResourceDocuments.Time(snapshot.TakenAt),
                ["source"] = snapshot.Source.ToString(),
                ["yaml"] = OffsetSnapshotYaml.Render(snapshot),
            }));
        }
    }

    /// <summary>The snapshot of <paramref name="id"/>, or null.</summary>
    public OffsetSnapshot? FindSnapshot(string id)
    {
        var doc = Read(() => _db.GetCollection(SnapshotsCollection).FindById(id));
        return doc is null ? null : ReadSnapshot(doc);
    }

    /// <summary>Every snapshot, by id.</summary>
    public IReadOnlyList<OffsetSnapshot> Snapshots() =>
        [.. Read(() => _db.GetCollection(SnapshotsCollection).FindAll().ToList()).Select(ReadSnapshot).OrderBy(s => s.Id, StringComparer.Ordinal)];

    /// <summary>Every snapshot's file text (snapshots/&lt;id&gt;.yaml), by id.</summary>
    public IReadOnlyList<(string Id, string Yaml)> SnapshotFiles() =>
        [.. Read(() => _db.GetCollection(SnapshotsCollection).FindAll().ToList()).Select(d => (d["_id"].AsString, d["yaml"].AsString)).OrderBy(s => s.Item1, StringComparer.Ordinal)];

    private static OffsetSnapshot ReadSnapshot(BsonDocument d) => OffsetSnapshotYaml.Parse(d["yaml"].AsString, "state store snapshot " + d["_id"].AsString);

    /// <summary>Names of the collections that hold heavy per-run data, pruned after ttlSecondsAfterFinished.</summary>
    internal static IReadOnlyList<string> RunDataCollections { get; } = ["checkpoints", "offsetMaps"];

    /// <summary>Deletes the heavy per-run data of <paramref name="id"/> (documents whose "resource" field is its key).</summary>
    public int PruneRunData(ResourceId id)
    {
        lock (_gate)
        {
            var deleted = 0;
            InTransaction(() =>
            {
                foreach (var name in RunDataCollections)
                    deleted += _db.GetCollection(name).DeleteMany(Query.EQ("resource", Key(id)));
            });
            return deleted;
        }
    }

    /// <summary>
    /// Removes everything the store knows of <paramref name="id"/>: its record (phase, spec hash, status,
    /// tombstone) and its run data (checkpoints, offset maps), in one transaction. Offset snapshots stay:
    /// they belong to the audit trail. Returns the number of documents deleted, 0 when the id is unknown.
    /// </summary>
    public int Forget(ResourceId id)
    {
        lock (_gate)
        {
            var deleted = 0;
            InTransaction(() =>
            {
                if (_db.GetCollection(ResourcesCollection).Delete(Key(id))) deleted++;
                if (deleted == 0) return;
                foreach (var name in RunDataCollections)
                    deleted += _db.GetCollection(name).DeleteMany(Query.EQ("resource", Key(id)));
            });
            _records?.Remove(Key(id));
            return deleted;
        }
    }

    /// <summary>
    /// Runs a read under the same lock as every write. LiteDB 5 is meant to be thread-safe, but a read
    /// racing a commit and its checkpoint on another thread failed in a load test ("page type must be
    /// collection page"); the daemon gains nothing from parallel access to one small file, so every
    /// operation is serialized. Materialize results inside <paramref name="read"/>.
    /// </summary>
    internal T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            Usable();
            try
            {
                return read();
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                _reopen = true;
                throw Unwritable(e);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> in one explicit transaction, rolling back on failure.</summary>
    internal void InTransaction(Action work)
    {
        lock (_gate)
        {
            var db = Usable();
            if (_reservation?.Reserve() is { } full)
                throw new StateStoreException(FailureReason.StateStoreUnwritable.Name,
                    $"Cannot write the state store {Path}: {full}. Nothing was written; the daemon retries, and writes again once " +
                    "there is room (free space on that file system, or move StateDirectory to a larger one).");
            var began = db.BeginTrans();
            try
            {
                work();
                if (began)
                {
                    db.Commit();
                    _reservation?.Observe();
                }
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                // Nothing is rolled back on a file that failed: it is closed and opened again before the next operation, and
                // LiteDB's log replays only transactions whose commit it completed.
                _reopen = true;
                throw Unwritable(e);
            }
            catch
            {
                if (began) db.Rollback();
                throw;
            }
            if (!began) return;
            try
            {
                // Copy the log into the data file so a read-only opener (the status CLI) sees it. The transaction is committed
                // (in the log) whether or not this succeeds: a failure here is not the write's, and the reopen copies it later.
                db.Checkpoint();
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                _reopen = true;
            }
        }
    }

    /// <summary>
    /// The database, closed and opened again first when an operation failed on I/O. Throws <see cref="StateStoreException"/>
    /// StateStoreUnwritable while it cannot be opened (the disk is still full); the next operation tries again. Call under _gate.
    /// </summary>
    private LiteDatabase Usable()
    {
        if (!_reopen) return _db;
        try
        {
            _db.Dispose();
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            // Closing flushes what it can; a failure leaves the file as its log last confirmed it.
        }
        try
        {
            _db = OpenDatabase(Path, IsWritable is false);
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Unwritable(e);
        }
        // The writer's copy is loaded again from what the file holds now.
        _records = null;
        _reopen = false;
        return _db;
    }

    private static bool IsIoFailure(Exception e) => e is IOException || e.InnerException is IOException;

    private StateStoreException Unwritable(Exception e) => new(FailureReason.StateStoreUnwritable.Name,
        $"The state store {Path} failed on I/O: {(e as IOException ?? e.InnerException)?.Message ?? e.Message}. " +
        "Nothing was lost that was reported saved; the daemon retries, and opens the file again once the disk has room " +
        "(check free space and the file system of the state directory).", e);

    /// <summary>The store key of an identity: "Kind/namespace/name".</summary>
    public static string Key(ResourceId id) => $"{id.Kind}/{id.Namespace}/{id.Name}";

    /// <inheritdoc />
    public void Dispose()
    {
        _db.Dispose();
        _writerLock?.Dispose();
    }

    /// <summary>True when this instance may write (it holds the writer lock).</summary>
    public bool IsWritable => _writerLock is not null;

}
