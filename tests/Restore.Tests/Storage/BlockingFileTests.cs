using KafkaRestored.Restore.Backups;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Storage;

/// <summary>
/// Issue #15 item 4 at the storage: a FIFO where a backup object should be (a hung NFS mount blocks
/// the same way) is refused before it is opened, and an open or read blocked in the kernel ends as
/// soon as its token is cancelled. Real FIFOs (mkfifo), real blocking opens and reads.
/// </summary>
public sealed class BlockingFileTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly TempDir _dir = new("kr-fifo");

    public void Dispose() => _dir.Dispose();

    private string Fifo(params string[] parts)
    {
        var path = _dir.Combine(parts);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ProcessRunner.Run("mkfifo", [path]).EnsureSuccess("mkfifo");
        return path;
    }

    [Fact]
    public async Task A_fifo_manifest_is_refused_as_an_invalid_manifest_without_opening_it()
    {
        var fifo = Fifo("b1", "manifest.json");
        var storage = new FilesystemBackupStorage(_dir.Path);

        var e = await Assert.ThrowsAsync<BackupObjectNotAFileException>(() => BackupManifestStore.ReadAsync(storage, "b1", CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(FailureReason.InvalidBackupManifest, e.Reason);
        Assert.Equal($"backup object {fifo} is a FIFO (named pipe), not a regular file, so it was not opened (reading it could block for ever); " +
            "a backup holds only regular files: put back the file the backup wrote, or check the storage path.", e.Message);
    }

    [Fact]
    public async Task A_fifo_segment_is_refused_as_storage_unavailable_and_a_regular_one_beside_it_opens()
    {
        Fifo("b1", "topics", "t", "partition=0", "segment-0.bin");
        var storage = new FilesystemBackupStorage(_dir.Path);
        await storage.WriteAsync("b1/topics/t/partition=0/segment-1.bin", new MemoryStream([7, 8, 9]), CancellationToken.None);

        var e = await Assert.ThrowsAsync<BackupObjectNotAFileException>(() => storage.OpenReadAsync("b1/topics/t/partition=0/segment-0.bin", CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(FailureReason.StorageUnavailable, e.Reason);

        // Positive control: a regular file in the same folder opens and reads whole, through the same path.
        await using var s = await storage.OpenReadAsync("b1/topics/t/partition=0/segment-1.bin", CancellationToken.None);
        var copy = new MemoryStream();
        await s.CopyToAsync(copy);
        Assert.Equal([7, 8, 9], copy.ToArray());
    }

    [Fact]
    public async Task A_blocked_open_is_abandoned_on_cancellation_and_completes_when_unblocked()
    {
        var fifo = Fifo("pipe");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        // open(2) of a FIFO for reading blocks until a writer opens it: only the cancellation ends this call.
        var cancelled = AbandonableFileCalls.RunAsync(() => new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.Read, 0), cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Bound));

        // Positive control: the same call, not cancelled, really is blocked until a writer comes, then returns
        // (the writer also releases the open abandoned above).
        var open = AbandonableFileCalls.RunAsync(() => new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.Read, 0), CancellationToken.None);
        await Task.Delay(300);
        Assert.False(open.IsCompleted);
        await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
        await using var reader = await open.WaitAsync(Bound);
        Assert.True(reader.CanRead);
    }

    [Fact]
    public async Task A_blocked_read_is_abandoned_on_cancellation_and_a_written_byte_is_read()
    {
        var fifo = Fifo("pipe");
        var opening = Task.Run(() => new FileStream(fifo, FileMode.Open, FileAccess.Read, FileShare.Read, 0));
        await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 0);
        var file = await opening.WaitAsync(Bound);

        // Positive control: with a byte written the read returns it.
        await using (var stream = new AbandonableReadStream(file, CancellationToken.None))
        {
            writer.Write([42]);
            var one = new byte[1];
            Assert.Equal(1, await stream.ReadAsync(one).AsTask().WaitAsync(Bound));
            Assert.Equal(42, one[0]);

            // Nothing more is written and the writer stays open: read(2) blocks; cancellation ends the read, not the thread.
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(one, cts.Token).AsTask().WaitAsync(Bound));
            await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(one).AsTask());
        }
        writer.Write([1]); // releases the read still in the kernel
    }
}
