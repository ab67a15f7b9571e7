using System.Globalization;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A size-limited filesystem of its own (a tmpfs mounted on a temporary folder) that a test can fill
/// to the last byte and free again: a full state disk, as an operator meets it. Mounting needs root
/// (or CAP_SYS_ADMIN); where the machine refuses, <see cref="SkipReason"/> says why and the tests
/// that need it skip with that reason.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private static readonly Lazy<string?> Refusal = new(Probe);
    private readonly string _ballast;

    /// <summary>Mounts a tmpfs of <paramref name="megabytes"/> MiB on a new temporary folder.</summary>
    public SmallDisk(int megabytes)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kr-smalldisk-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
        var mount = Mount(Path, megabytes);
        if (mount.ExitCode != 0)
        {
            Directory.Delete(Path);
            throw new InvalidOperationException($"mount -t tmpfs on {Path} failed: {mount.StdErr.Trim()}");
        }
        _ballast = System.IO.Path.Combine(Path, ".ballast");
    }

    /// <summary>Why no small disk can be mounted here (not root, no CAP_SYS_ADMIN), or null when one can.</summary>
    public static string? SkipReason => Refusal.Value;

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>
    /// Writes a ballast file until the filesystem answers ENOSPC: every later write to the disk fails
    /// until <see cref="Free"/>. Returns the bytes the ballast took.
    /// </summary>
    public long Fill()
    {
        var chunk = new byte[1 << 20];
        using var ballast = new FileStream(_ballast, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        try
        {
            while (true) ballast.Write(chunk);
        }
        catch (IOException)
        {
            // ENOSPC: the last 1 MiB did not fit. Fill what is left, down to the byte, so even a one-page write fails.
        }
        for (var size = chunk.Length / 2; size > 0; size /= 2)
        {
            try
            {
                ballast.Write(chunk, 0, size);
            }
            catch (IOException)
            {
                // Smaller next time.
            }
        }
        return ballast.Length;
    }

    /// <summary>Writes a ballast that leaves about <paramref name="bytes"/> free (to the page). Returns the bytes it took.</summary>
    public long FillLeaving(long bytes)
    {
        var size = new DriveInfo(Path).AvailableFreeSpace - bytes;
        using var ballast = new FileStream(_ballast, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        var chunk = new byte[1 << 20];
        for (var left = size; left > 0; left -= chunk.Length) ballast.Write(chunk, 0, (int)Math.Min(chunk.Length, left));
        return ballast.Length;
    }

    /// <summary>Deletes the ballast: the disk has room again.</summary>
    public void Free() => File.Delete(_ballast);

    /// <summary>Unmounts (lazily if something still holds a file open) and removes the mount point.</summary>
    public void Dispose()
    {
        if (ProcessRunner.Run("umount", [Path]).ExitCode != 0) ProcessRunner.Run("umount", ["-l", Path]);
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Still busy after a lazy unmount: the temporary folder stays.
        }
    }

    private static ProcessResult Mount(string path, int megabytes) =>
        ProcessRunner.Run("mount", ["-t", "tmpfs", "-o", $"size={megabytes.ToString(CultureInfo.InvariantCulture)}m,mode=0755", "tmpfs", path]);

    private static string? Probe()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"kr-smalldisk-probe-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        try
        {
            var mount = Mount(path, 1);
            if (mount.ExitCode != 0)
                return $"NOT TESTED: the state store and the daemon on a full disk. Filling a disk safely needs a small one of its own (a tmpfs), " +
                    $"and this run may not mount one ({mount.StdErr.Trim()}); run the tests as root or with CAP_SYS_ADMIN (CI does) to cover it.";
            ProcessRunner.Run("umount", [path]);
            return null;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"NOT TESTED: the state store and the daemon on a full disk. Filling a disk safely needs a small one of its own (a tmpfs), " +
                $"and mount(8) could not run here ({e.Message}); install util-linux and run as root to cover it.";
        }
        finally
        {
            Directory.Delete(path);
        }
    }
}
