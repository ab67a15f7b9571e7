using System.Runtime.InteropServices;

namespace KafkaRestored.Reconciler.State;

/// <summary>
/// Room on the state disk for the next write, taken before LiteDB writes anything.
/// </summary>
/// <remarks>
/// LiteDB 5.0.20 writes its log (<c>state-log.db</c>) on a writer thread of its own. When that write
/// fails (ENOSPC), the writer closes the engine from inside itself and waits for its own task, and every
/// later commit or checkpoint waits for a queue that never empties: the daemon's state thread hangs for
/// good, even once the disk has room (seen on a full tmpfs, tests/Reconciler.Tests/State/StateStoreDiskFullTests).
/// 5.0.21 writes the log on the caller's thread instead but brings a read regression (LiteDB issue 2523).
/// So before each transaction the caller reserves blocks for the log with <c>fallocate(FALLOC_FL_KEEP_SIZE)</c>:
/// the writer thread then writes into blocks it already owns and cannot meet ENOSPC, and a full disk fails
/// the reservation, on the caller's thread, before anything was written. The checkpoint after each
/// transaction truncates the log, which gives the blocks back.
/// The reservation is twice the largest log a transaction has grown to here, and at least
/// <see cref="MinimumBytes"/>. Where the file system cannot preallocate (EOPNOTSUPP), the free space is
/// checked instead, which a disk filling at the same instant can still outrun.
/// </remarks>
internal sealed class StateDiskReservation(string logPath)
{
    /// <summary>The least room reserved before a write: far above a usual transaction (a few pages of 8 KiB).</summary>
    public const long MinimumBytes = 8L << 20;

    private const int FallocKeepSize = 1;
    private const int Enospc = 28;
    private const int Eopnotsupp = 95;

    private long _largestLog;

    /// <summary>The bytes reserved before the next write.</summary>
    public long Bytes => Math.Max(MinimumBytes, 2 * _largestLog);

    /// <summary>
    /// Reserves <see cref="Bytes"/> for the log past what it holds; returns null when reserved, or what is wrong (the disk is full) to report.
    /// </summary>
    public string? Reserve()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var bytes = Bytes;
        using (var log = new FileStream(logPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
        {
            // From the start of the file: LiteDB writes the log from offset 0 after each checkpoint, and past what it holds when a
            // checkpoint failed (blocks already allocated cost nothing again).
            if (Fallocate((int)log.SafeFileHandle.DangerousGetHandle(), FallocKeepSize, 0, log.Length + bytes) == 0) return null;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == Enospc) return NoRoom(bytes);
            if (errno != Eopnotsupp) return null; // another refusal (a read-only file system) shows in the write itself, on the caller's thread
        }
        var free = new DriveInfo(Path.GetDirectoryName(logPath)!).AvailableFreeSpace;
        return free >= bytes ? null : NoRoom(bytes);
    }

    /// <summary>Notes how large the log grew in the transaction just committed (before the checkpoint truncates it).</summary>
    public void Observe()
    {
        try
        {
            var length = new FileInfo(logPath).Length;
            if (length > _largestLog) _largestLog = length;
        }
        catch (IOException)
        {
            // The next reservation uses what was seen before.
        }
    }

    private string NoRoom(long bytes)
    {
        var directory = Path.GetDirectoryName(logPath)!;
        long? free = null;
        try
        {
            free = new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (IOException)
        {
            // Said as unknown below.
        }
        return $"the state disk is full: {directory} has {(free is { } f ? $"{f:N0} bytes" : "no room")} free, and kafka-restored " +
            $"reserves {bytes / (1 << 20)} MiB there before each state write";
    }

    [DllImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fallocate(int fd, int mode, long offset, long length);
}
