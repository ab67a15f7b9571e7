using System.Runtime.CompilerServices;

namespace KafkaRestored.Restore.Storage;

/// <summary>
/// Backups in a local or mounted folder. Writes go to a temporary file beside the target and are
/// renamed into place, so a reader never sees half an object.
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

    /// <inheritdoc />
    public string Describe(string key) => Path.Combine(RootPath, key.Replace('/', Path.DirectorySeparatorChar));

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        try
        {
            Stream s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(s);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BackupObjectNotFoundException(key, path, e);
        }
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string key, CancellationToken ct) => Task.FromResult(File.Exists(PathOf(key)));

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
    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        // Walk only the deepest folder the prefix names, then filter on the full key.
        var slash = prefix.LastIndexOf('/');
        var folderKey = slash < 0 ? "" : prefix[..slash];
        if (folderKey.Length > 0) StorageKeys.Validate(folderKey, "prefix");
        var folder = folderKey.Length == 0 ? RootPath : PathOf(folderKey);
        if (!Directory.Exists(folder)) yield break;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            ct.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(RootPath, file).Replace(Path.DirectorySeparatorChar, '/');
            var name = key[(key.LastIndexOf('/') + 1)..];
            if (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return key;
        }
        await Task.CompletedTask;
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
