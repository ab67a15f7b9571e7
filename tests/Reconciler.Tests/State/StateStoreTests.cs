using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Offsets;
using KafkaRestored.Restore.Provenance;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.TestSupport;
using LiteDB;

namespace KafkaRestored.Reconciler.Tests.State;

public sealed class StateStoreTests
{
    private static readonly DateTimeOffset T0 = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static ResourceRecord Record(string name, ResourcePhase phase = ResourcePhase.Pending) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", name),
        SpecHash = "hash-" + name,
        CreatedAt = T0,
        SourceFile = "restores/" + name + ".yaml",
        Status = new KafkaRestoreStatus
        {
            Phase = phase,
            ObservedGeneration = 2,
            Attempts = 1,
            StartTime = T0,
            RestoredRecords = 42,
            RestoredTopics = new([new RestoredTopicStatus("orders", 42)]),
            Conditions = Conditions.Set(ValueList<Condition>.Empty, ConditionTypes.Ready, ConditionStatus.False, "Running", "restoring", T0),
            Progress = new RestoreProgress(1, 2, 3, 4, new([new TopicProgress("orders", 1, 2, 3, 4)])),
        },
    };

    [Fact]
    public void Records_survive_closing_and_reopening_the_file()
    {
        using var dir = new TempDir();
        var original = Record("a", ResourcePhase.Running) with { NextAttemptAt = T0.AddSeconds(10), Deletion = DeletionOutcome.Cancelled };
        using (var store = StateStore.Open(dir.Path))
        {
            store.Save(original);
            store.LastProcessedCommit = "abc123";
        }
        using (var store = StateStore.Open(dir.Path))
        {
            var loaded = store.Find(original.Id);
            Assert.Equal(original, loaded);
            Assert.Equal("abc123", store.LastProcessedCommit);
            Assert.IsType<KafkaRestoreStatus>(loaded!.Status);
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "state.db")));
    }

    [Fact]
    public void The_writers_view_of_the_records_stays_what_the_file_holds_through_saves_updates_and_forget()
    {
        using var dir = new TempDir();
        using var writer = StateStore.Open(dir.Path);
        writer.Save([Record("a"), Record("b"), Record("c")]);
        Assert.Equal(3, writer.Resources().Count); // the writer's copy is loaded here
        writer.Save(Record("b", ResourcePhase.Completed) with { Tombstone = true });
        writer.Save(Record("d", ResourcePhase.Running));
        Assert.True(writer.Forget(Record("a").Id) > 0);

        // What a separate reader of the file sees (as `kafka-restored status` does) is what the writer serves.
        using var reader = StateStore.Open(dir.Path, readOnly: true);
        Assert.Equal(reader.Resources(), writer.Resources());
        Assert.Equal(reader.Resources(includeTombstones: false), writer.Resources(includeTombstones: false));
        Assert.Equal(["b", "c", "d"], writer.Resources().Select(r => r.Id.Name));
        Assert.Equal(["c", "d"], writer.Resources(includeTombstones: false).Select(r => r.Id.Name));
        Assert.Equal(ResourcePhase.Completed, writer.Find(Record("b").Id)!.Phase);
        Assert.Null(writer.Find(Record("a").Id));
    }

    [Fact]
    public void A_batch_of_thousands_of_records_is_written_in_one_transaction()
    {
        using var dir = new TempDir();
        using var store = StateStore.Open(dir.Path);
        store.Save(Enumerable.Range(0, 3000).Select(i => Record("r" + i)));
        Assert.Equal(3000, store.Resources().Count);
        Assert.Equal(3000, store.Resources(includeTombstones: false).Count);
        store.Save(store.Find(Record("r7").Id)! with { Tombstone = true, Deletion = DeletionOutcome.Deleted });
        Assert.Equal(2999, store.Resources(includeTombstones: false).Count);
    }

    [Fact]
    public void A_failing_batch_leaves_nothing_behind()
    {
        using var dir = new TempDir();
        using var store = StateStore.Open(dir.Path);
        Assert.Throws<InvalidOperationException>(() => store.InTransaction(() =>
        {
            store.Save([Record("x"), Record("y")]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Empty(store.Resources());
    }

    [Fact]
    public void A_store_written_by_a_newer_schema_is_refused_with_a_clear_message()
    {
        using var dir = new TempDir();
        using (var db = new LiteDatabase(Path.Combine(dir.Path, "state.db")))
            db.GetCollection("meta").Upsert(new BsonDocument { ["_id"] = "schema", ["version"] = StateStore.SchemaVersion + 1 });
        var e = Assert.Throws<StateStoreException>(() => StateStore.Open(dir.Path));
        Assert.Equal("StateSchemaTooNew", e.Reason);
        Assert.Contains("newer than this kafka-restored supports", e.Message);
        Assert.Contains("state.db", e.Message);
    }

    [Fact]
    public void Snapshot_ids_are_unique()
    {
        using var dir = new TempDir();
        using var store = StateStore.Open(dir.Path);
        var source = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "a");
        var snapshot = new OffsetSnapshot("pre-restore", T0, source, ["127.0.0.1:9092"], ["orders"], ["order-processor"],
            [("order-processor", "orders", 0, 5L), ("order-processor", "orders", 1, 7L)]);
        new LiteDbOffsetSnapshotStore(store).Save(snapshot);
        var e = Assert.Throws<KafkaRestoredException>(() => store.SaveSnapshot(snapshot));
        Assert.Equal("SnapshotExists", e.Reason);
        var loaded = new LiteDbOffsetSnapshotStore(store).Get("pre-restore")!;
        Assert.Equal(7, loaded.OffsetsOf("order-processor").Single(o => o.Partition == 1).Offset);
        Assert.Equal(T0, loaded.TakenAt);
        Assert.Equal(OffsetSnapshotYaml.Render(snapshot), store.SnapshotFiles().Single().Yaml);
    }

    [Fact]
    public void Pruning_removes_only_the_resources_run_data()
    {
        using var dir = new TempDir();
        using var store = StateStore.Open(dir.Path);
        var a = Record("a").Id;
        var b = Record("b").Id;
        store.Database.GetCollection("checkpoints").Insert(new BsonDocument { ["resource"] = StateStore.Key(a), ["p"] = 0 });
        store.Database.GetCollection("offsetMaps").Insert(new BsonDocument { ["resource"] = StateStore.Key(a), ["p"] = 0 });
        store.Database.GetCollection("checkpoints").Insert(new BsonDocument { ["resource"] = StateStore.Key(b), ["p"] = 0 });
        Assert.Equal(2, store.PruneRunData(a));
        Assert.Equal(1, store.Database.GetCollection("checkpoints").Count());
    }

    [Fact]
    public void An_offset_map_too_big_for_one_LiteDB_document_is_split_and_read_back_whole()
    {
        using var dir = new TempDir();
        using var store = StateStore.Open(dir.Path);
        var state = new LiteDbRestoreStateStore(store);
        // PITR cutting every other record: one run per restored record. 400,000 runs are ~18 MB of
        // BSON, over LiteDB's 16 MB document limit in one piece.
        var big = new PartitionOffsetMap("orders", "restored", 3);
        for (long i = 0; i < 400_000; i++) big.Add(i * 2, i);
        var small = new PartitionOffsetMap("orders", "restored", 4, [new OffsetRun(0, 0, 10)]);

        state.SaveOffsetMaps("r#g1", [big, small]);

        var loaded = state.GetOffsetMaps("r#g1").OrderBy(m => m.Partition).ToList();
        Assert.Equal(big.Runs, loaded[0].Runs);
        Assert.Equal(small.Runs, loaded[1].Runs);
        Assert.Equal(300_000, loaded[0].FirstTargetAtOrAfter(599_999));

        // Saving the map shorter again leaves no stale part behind; deleting the run removes every part.
        state.SaveOffsetMaps("r#g1", [new PartitionOffsetMap("orders", "restored", 3, big.Runs.Take(150_000))]);
        Assert.Equal(150_000, state.GetOffsetMaps("r#g1").Single(m => m.Partition == 3).Runs.Count);
        state.DeleteRun("r#g1");
        Assert.Empty(state.GetOffsetMaps("r#g1"));
    }

    [Fact]
    public void Read_only_opening_of_a_missing_store_says_which_directory()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<StateStoreException>(() => StateStore.Open(Path.Combine(dir.Path, "nope"), readOnly: true));
        Assert.Equal("StateStoreMissing", e.Reason);
        Assert.Contains("--state-dir", e.Message);
    }

    [Fact]
    public void A_reader_sees_committed_writes_while_the_writer_holds_the_store_and_a_second_writer_is_refused()
    {
        using var dir = new TempDir();
        using var store = StateStore.Open(dir.Path);
        store.Save(Record("a"));
        using (var reader = StateStore.Open(dir.Path, readOnly: true))
            Assert.Single(reader.Resources());
        store.Save(Record("b"));
        using (var reader = StateStore.Open(dir.Path, readOnly: true))
            Assert.Equal(2, reader.Resources().Count);
        var e = Assert.Throws<StateStoreException>(() => StateStore.Open(dir.Path));
        Assert.Equal("StateStoreLocked", e.Reason);
    }

    [Fact]
    public void Ids_that_differ_only_by_case_are_distinct_records_snapshots_and_run_data()
    {
        using var dir = new TempDir();
        var exact = Record("a", ResourcePhase.Completed);
        var variant = Record("a", ResourcePhase.Failed) with { Id = new ResourceId("KafkaRestorE", "kafka-backup", "a"), SpecHash = "other" };
        using (var store = StateStore.Open(dir.Path))
        {
            store.Save(exact);
            store.Save(variant);
            var state = new LiteDbRestoreStateStore(store);
            state.SaveCheckpoints(LiteDbRestoreStateStore.RestoreKey(exact.Id, 1), [Checkpoint("orders")]);
            state.SaveCheckpoints(LiteDbRestoreStateStore.RestoreKey(variant.Id, 1), [Checkpoint("orders")]);
            store.SaveSnapshot(Snapshot("Pre-Restore"));
            store.SaveSnapshot(Snapshot("pre-restore"));

            Assert.Equal(exact, store.Find(exact.Id));
            Assert.Equal(variant, store.Find(variant.Id));
            Assert.Null(store.Find(exact.Id with { Kind = "KAFKARESTORE" }));
            Assert.True(store.Forget(variant.Id) > 0);
            Assert.Single(state.GetCheckpoints(LiteDbRestoreStateStore.RestoreKey(exact.Id, 1)));
            Assert.Empty(state.GetCheckpoints(LiteDbRestoreStateStore.RestoreKey(variant.Id, 1)));
            store.Save(variant);
        }

        // A new instance on the same file (a daemon restart) and a reader see both, each whole.
        using (var store = StateStore.Open(dir.Path))
        {
            Assert.Equal(exact, store.Find(exact.Id));
            Assert.Equal(variant, store.Find(variant.Id));
            Assert.Equal(["KafkaRestorE", "KafkaRestore"], store.Resources().Select(r => r.Id.Kind));
            Assert.Equal(["Pre-Restore", "pre-restore"], store.Snapshots().Select(s => s.Id));
        }
        using var reader = StateStore.Open(dir.Path, readOnly: true);
        Assert.Equal(exact, reader.Find(exact.Id));
        Assert.Equal(variant, reader.Find(variant.Id));
        Assert.Null(reader.Find(exact.Id with { Kind = "KAFKARESTORE" }));
    }

    [Fact]
    public void A_store_written_by_the_previous_release_is_migrated_on_open_with_everything_in_it()
    {
        using var dir = new TempDir();
        var completed = Record("r1", ResourcePhase.Completed);
        var legacy = Record("typo", ResourcePhase.Failed) with { Id = new ResourceId("KafkaRestores", "kafka-backup", "typo") };
        var gone = Record("gone", ResourcePhase.Completed) with { Tombstone = true, Deletion = DeletionOutcome.Deleted };
        var runKey = LiteDbRestoreStateStore.RestoreKey(completed.Id, 2);
        PreviousReleaseState.Write(dir.Path, store =>
        {
            store.Save([completed, legacy, gone]);
            store.LastProcessedCommit = "0123456789abcdef0123456789abcdef01234567";
            new LiteDbRestoreStateStore(store).SaveCheckpoints(runKey, [Checkpoint("orders")]);
            store.SaveSnapshot(Snapshot("pre-restore"));
        });
        var path = Path.Combine(dir.Path, StateStore.FileName);
        // Positive control: the file matches ids as the previous release did, case-insensitively.
        using (var old = new LiteDatabase(new ConnectionString { Filename = path, ReadOnly = true }))
        {
            Assert.NotEqual(System.Globalization.CompareOptions.Ordinal, old.Collation.SortOptions);
            Assert.NotNull(old.GetCollection("resources").FindById("KAFKARESTORE/kafka-backup/r1"));
        }
        // A reader before the migration still finds only the exact id.
        using (var reader = StateStore.Open(dir.Path, readOnly: true))
        {
            Assert.Equal(completed, reader.Find(completed.Id));
            Assert.Null(reader.Find(completed.Id with { Kind = "KafkaRestorE" }));
        }
        File.WriteAllText(Path.Combine(dir.Path, "state-migrating.db"), "left by a migration that was cut off");

        var variant = Record("r1", ResourcePhase.Failed) with { Id = new ResourceId("KafkaRestorE", "kafka-backup", "r1"), SpecHash = "invalid" };
        using (var store = StateStore.Open(dir.Path))
        {
            Assert.True(StateStore.IsOrdinal(store.Database));
            Assert.Equal([gone, completed, legacy], store.Resources().OrderBy(r => r.Id.Name, StringComparer.Ordinal));
            Assert.Equal("0123456789abcdef0123456789abcdef01234567", store.LastProcessedCommit);
            Assert.Equal(Checkpoint("orders"), new LiteDbRestoreStateStore(store).GetCheckpoints(runKey).Single());
            Assert.Equal("pre-restore", store.Snapshots().Single().Id);
            Assert.Contains(store.Database.GetCollection("$indexes").FindAll(), i => i["collection"] == "resources" && i["name"] == "tombstone");
            store.Save(variant);
            Assert.Equal(completed, store.Find(completed.Id));
        }
        Assert.False(File.Exists(Path.Combine(dir.Path, "state-migrating.db")));
        using (var store = StateStore.Open(dir.Path))
        {
            Assert.Equal(completed, store.Find(completed.Id));
            Assert.Equal(variant, store.Find(variant.Id));
            Assert.Equal(1, store.PruneRunData(completed.Id));
        }
    }

    private static RestoreCheckpoint Checkpoint(string topic) =>
        new(topic, "restored-" + topic, 0, "fp", 0, 10, 0, 0, 10, true, T0);

    private static OffsetSnapshot Snapshot(string id) =>
        new(id, T0, new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", "a"), ["127.0.0.1:9092"], ["orders"], ["order-processor"],
            [("order-processor", "orders", 0, 5L)]);
}
