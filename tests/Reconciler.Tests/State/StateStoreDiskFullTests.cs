using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Status;
using KafkaRestored.Tests.Shared;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Reconciler.Tests.State;

/// <summary>
/// The state store on a disk that fills up (a size-limited tmpfs, filled to the last byte) and gets room again. LiteDB alone
/// keeps failing every write with ENOSPC after the disk has room again (seen here before the store reopened its file), so a
/// daemon that met a full disk once could never save state again without a restart.
/// </summary>
public sealed class StateStoreDiskFullTests
{
    private static readonly DateTimeOffset T0 = new(2024, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static ResourceRecord Record(string name, int generation) => new()
    {
        Id = new ResourceId(ResourceKinds.KafkaRestore, "kafka-backup", name),
        SpecHash = $"hash-{name}-{generation}",
        CreatedAt = T0,
        SourceFile = "restores/" + name + ".yaml",
        Status = new KafkaRestoreStatus { Phase = ResourcePhase.Running, ObservedGeneration = generation, Attempts = 1, StartTime = T0, RestoredRecords = generation },
    };

    // On a thread without xUnit's synchronization context, as the daemon's cycles run: LiteDB's disk writer waits on a task,
    // which under that context never got to run once a write had failed (the test hung; on a plain thread it does not).
    [SmallDiskFact]
    public Task A_full_disk_fails_writes_with_a_reason_naming_the_file_and_once_there_is_room_the_store_writes_again_keeping_all_it_saved() =>
        Task.Run(FullThenRoomAgain);

    private static void FullThenRoomAgain()
    {
        using var disk = new SmallDisk(32);
        var saved = Enumerable.Range(0, 50).Select(i => Record("r" + i, 1)).ToList();
        var store = StateStore.Open(disk.Path);
        try
        {
            store.Save(saved);
            store.LastProcessedCommit = "before";
            var checkpoints = new LiteDbRestoreStateStore(store);
            Assert.True(disk.Fill() > 0);

            // Every kind of write fails, each with the same reason, naming the file and the cause; none takes the store down.
            for (var i = 0; i < 3; i++)
            {
                var e = Assert.Throws<StateStoreException>(() => store.Save(Enumerable.Range(0, 200).Select(j => Record("big" + j, 2))));
                Assert.Equal("StateStoreUnwritable", e.Reason);
                Assert.Contains(store.Path, e.Message, StringComparison.Ordinal);
                Assert.Contains("the state disk is full", e.Message, StringComparison.Ordinal);
            }
            Assert.Equal("StateStoreUnwritable", Assert.Throws<StateStoreException>(() => store.LastProcessedCommit = "during").Reason);
            Assert.Equal("StateStoreUnwritable", Assert.Throws<StateStoreException>(() => checkpoints.SaveCheckpoints("KafkaRestore/kafka-backup/r1#g1",
                [.. Enumerable.Range(0, 500).Select(p => new RestoreCheckpoint("src", "dst", p, new string('f', 64), 0, p, 0, 0, null, false, T0))])).Reason);

            // Room again: the next writes succeed (LiteDB alone kept failing here), and reads see what was saved before.
            disk.Free();
            store.Save(Record("after", 3));
            store.LastProcessedCommit = "after";
            Assert.Equal(saved[7], store.Find(saved[7].Id));
            Assert.Equal(Record("after", 3), store.Find(Record("after", 3).Id));
            Assert.Null(store.Find(Record("big0", 2).Id));
        }
        finally
        {
            store.Dispose();
        }

        // The file as the next start finds it: what was saved before and after, nothing of the writes that failed.
        using var again = StateStore.Open(disk.Path);
        Assert.Equal(51, again.Resources().Count);
        Assert.Equal(saved[49], again.Find(saved[49].Id));
        Assert.Equal(Record("after", 3), again.Find(Record("after", 3).Id));
        Assert.Null(again.Find(Record("big0", 2).Id));
        Assert.Equal("after", again.LastProcessedCommit);
        Assert.Empty(new LiteDbRestoreStateStore(again).GetCheckpoints("KafkaRestore/kafka-backup/r1#g1"));
    }

    // The reservation fits, the log takes the write, and the checkpoint then finds no room to grow the data file: the write is kept
    // (it is in the log), the store says the disk is full until it has room, and then holds everything.
    [SmallDiskFact]
    public Task A_write_that_reaches_the_log_but_not_the_data_file_is_kept_and_the_store_recovers_once_there_is_room() => Task.Run(() =>
    {
        using var disk = new SmallDisk(32);
        var batch = Enumerable.Range(0, 3000).Select(i => Record("batch" + i, 1)).ToList();
        var store = StateStore.Open(disk.Path);
        try
        {
            store.Save(Record("first", 1));
            // Room for the 8 MiB reservation and a little more; the batch's pages do not fit in the data file besides.
            disk.FillLeaving(StateDiskReservation.MinimumBytes + (256 << 10));
            store.Save(batch);
            // The test's premise: the checkpoint found no room, so the log still holds the batch (a checkpoint empties it).
            Assert.True(new FileInfo(Path.Combine(disk.Path, "state-log.db")).Length > 0, "the checkpoint had room: the test missed its case");
            Assert.Equal(batch[2999], store.Find(batch[2999].Id));
            disk.Free();
            store.Save(Record("after", 2));
        }
        finally
        {
            store.Dispose();
        }
        using var again = StateStore.Open(disk.Path);
        Assert.Equal(3002, again.Resources().Count);
        Assert.Equal(batch[1234], again.Find(batch[1234].Id));
    });
}
