using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace KafkaRestored.Restore.Storage;

/// <summary>
/// What kind of file a path names (statx(2), links followed), read without opening it: opening a
/// FIFO blocks until a writer comes, and reading a device or socket never meets an end.
/// </summary>
internal static partial class FileTypes
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // stx_mode in struct statx, the same on every Linux architecture

    /// <summary>
    /// Null for a regular file (or where the type cannot be read: the open decides then); otherwise
    /// what the path is, e.g. "a FIFO (named pipe)".
    /// </summary>
    public static string? NonRegular(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[256];
        try
        {
            if (Statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library without statx (glibc before 2.28)
        }
        return (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(ModeOffset)) & 0xF000) switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a directory",
            var other => $"not a regular file (type 0x{other:x4})",
        };
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
