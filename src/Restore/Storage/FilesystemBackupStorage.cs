using System.Runtime.CompilerServices;

namespace KafkaRestored.Restore.Storage;

/// <summary>
/// Backups in a local or mounted folder. Writes go to a temporary file beside the target and are
/// renamed into place, so a reader never sees half an object. Reads stay inside the key's backup
/// folder (its first segment): a link is followed only while it leads to a place inside it.
/// </summary>
public sealed class FilesystemBackupStorage : IBackupStorage
{
    private const int BufferSize = 1 << 16;

    /// <summary>Uses <paramref name="rootPath"/> (made absolute) as the storage root.</summary>
    public FilesystemBackupStorage(string rootPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        RootPath = Path.GetFullPath(rootPath);
    }

    /// <summary>Absolute root folder.</summary>
    public string RootPath { get; }

    // The root with its links resolved (the operator's choice, trusted), found on first read.
    private string? _realRoot;

    /// <inheritdoc />
    public string Describe(string key) => Path.Combine(RootPath, key.Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc />
    /// <remarks>
    /// Only a regular file is opened (a FIFO, device or socket fails with <see cref="BackupObjectNotAFileException"/>),
    /// and the open and every read end when <paramref name="ct"/> is cancelled, even on a hung mount.
    /// </remarks>
    public async Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        var file = await AbandonableFileCalls.RunAsync(() => Open(key), ct);
        return new AbandonableReadStream(file, ct);
    }

    private FileStream Open(string key)
    {
        var path = PathOf(key);
        var (folder, real) = ResolveInsideFolder(key);
        if (Directory.Exists(real)) throw new BackupObjectNotFoundException(key, path);
        // Checked before the open, which would block on a FIFO until some writer came.
        if (FileTypes.NonRegular(real) is { } kind) throw new BackupObjectNotAFileException(key, path, kind);
        FileStream s;
        try
        {
            // Unbuffered: AbandonableReadStream buffers, so a read given up never writes into memory in use.
            s = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupObjectNotFoundException(key, path, e);
        }
        // A link swapped in between the walk and the open is caught here, before any byte is read.
        if (OpenedPath(s) is { } opened && !IsInside(folder, opened))
        {
            s.Dispose();
            throw Outside(key);
        }
        return s;
    }

    /// <inheritdoc />
    public void CheckInsideFolder(string key) => ResolveInsideFolder(key);

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        return AbandonableFileCalls.RunAsync(() => File.Exists(path), ct);
    }

    /// <inheritdoc />
    public async Task WriteAsync(string key, Stream content, CancellationToken ct)
    {
        var path = PathOf(key);
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, BufferSize, ct);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        return AbandonableFileCalls.RunAsync(() =>
        {
            try
            {
                // File.Delete removes a link itself, never what it points to.
                File.Delete(path);
            }
            catch (DirectoryNotFoundException)
            {
                return; // its folder is gone, so is the file
            }
            // Folders left empty go too, up to the root, so a deleted backup leaves no folder behind.
            for (var dir = Path.GetDirectoryName(path); dir is not null && dir.Length > RootPath.Length && IsEmptyFolder(dir); dir = Path.GetDirectoryName(dir))
                Directory.Delete(dir);
        }, ct);
    }

    private static bool IsEmptyFolder(string dir) => Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any();

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        // Walk only the deepest folder the prefix names, then filter on the full key.
        var slash = prefix.LastIndexOf('/');
        var folderKey = slash < 0 ? "" : prefix[..slash];
        if (folderKey.Length > 0) StorageKeys.Validate(folderKey, "prefix");
        var folder = folderKey.Length == 0 ? RootPath : PathOf(folderKey);
        // Listed whole on a pool thread, so a hung mount cannot hold the caller past its cancellation.
        var files = await AbandonableFileCalls.RunAsync(() => Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)]
            : new List<string>(), ct);
        foreach (var file in files)
        {
            ct.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(RootPath, file).Replace(Path.DirectorySeparatorChar, '/');
            var name = key[(key.LastIndexOf('/') + 1)..];
            if (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return key;
        }
    }

    /// <summary>
    /// The key's backup folder (its first segment, resolved inside the root) and the key's path with
    /// every link resolved; throws when either would leave its folder. Only links inside the folder
    /// are read (readlink), so nothing outside it is ever looked at.
    /// </summary>
    private (string Folder, string Path) ResolveInsideFolder(string key)
    {
        StorageKeys.Validate(key);
        var parts = key.Split('/');
        var root = _realRoot ??= Walk(null, "/", SplitPath(RootPath)) ?? RootPath;
        if (parts.Length == 1) return (root, Walk(root, root, parts) ?? throw Outside(key));
        var folder = Walk(root, root, parts[..1]) ?? throw Outside(key);
        return (folder, Walk(folder, folder, parts[1..]) ?? throw Outside(key));
    }

    private BackupKeyOutsideFolderException Outside(string key)
    {
        var backupId = key.Split('/')[0];
        return new BackupKeyOutsideFolderException(key, backupId, Describe($"{backupId}/manifest.json"));
    }

    /// <summary>
    /// Resolves <paramref name="components"/> from <paramref name="start"/> like realpath(3), but
    /// returns null as soon as the path would leave <paramref name="fence"/>: a '..' at the fence,
    /// a relative link climbing out, or an absolute link to elsewhere (absolute links into the fence
    /// are followed). Without a fence (resolving the operator's root) it never refuses.
    /// </summary>
    private static string? Walk(string? fence, string start, IEnumerable<string> components)
    {
        var pending = new LinkedList<string>(components);
        var current = start;
        var links = 0;
        while (pending.First is { } node)
        {
            pending.RemoveFirst();
            var c = node.Value;
            if (c.Length == 0 || c == ".") continue;
            if (c == "..")
            {
                if (current == fence) return null;
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Join(current, c);
            var target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > 40) return null;
            var targetParts = SplitPath(target);
            if (Path.IsPathRooted(target))
            {
                if (fence is null)
                {
                    current = "/";
                }
                else
                {
                    // Followed only when it names a place inside the fence without climbing.
                    if (targetParts.Contains("..") || !IsInside(fence, Path.GetFullPath(target))) return null;
                    targetParts = SplitPath(Path.GetRelativePath(fence, Path.GetFullPath(target)));
                    current = fence;
                }
            }
            for (var i = targetParts.Length - 1; i >= 0; i--) pending.AddFirst(targetParts[i]);
        }
        return current;
    }

    private static string[] SplitPath(string path) => path.Split(Path.DirectorySeparatorChar);

    private static bool IsInside(string folder, string path) =>
        path == folder || path.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path the kernel actually opened (Linux /proc), or null where that cannot be read.</summary>
    private static string? OpenedPath(FileStream s)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var fd = s.SafeFileHandle.DangerousGetHandle();
            var target = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            const string deleted = " (deleted)";
            return target is not null && target.EndsWith(deleted, StringComparison.Ordinal) ? target[..^deleted.Length] : target;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string PathOf(string key)
    {
        StorageKeys.Validate(key);
        var path = Path.GetFullPath(Path.Combine(RootPath, key));
        var root = RootPath.EndsWith(Path.DirectorySeparatorChar) ? RootPath : RootPath + Path.DirectorySeparatorChar;
        if (!path.StartsWith(root, StringComparison.Ordinal))
            throw new ArgumentException($"storage key '{key}' resolves outside the storage root {RootPath}", nameof(key));
        return path;
    }
}
