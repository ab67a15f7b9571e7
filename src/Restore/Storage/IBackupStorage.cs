namespace KafkaRestored.Restore.Storage;

/// <summary>
/// Where backups live (S3, Azure Blob Storage, Google Cloud Storage or a folder). Keys are relative to the storage root and '/'-separated,
/// e.g. "b1/topics/orders/partition=0/segment-00000000000000000000.bin". Reads and writes stream.
/// </summary>
public interface IBackupStorage
{
    /// <summary>The full human-readable location of a key (absolute path, s3://bucket/prefix/key or azure://account/container/prefix/key).</summary>
    string Describe(string key);

    /// <summary>Opens an object for reading.</summary>
    /// <exception cref="BackupObjectNotFoundException">The object does not exist.</exception>
    Task<Stream> OpenReadAsync(string key, CancellationToken ct);

    /// <summary>
    /// Checks, without reading it, that <paramref name="key"/> stays inside its backup's folder (the
    /// key's first segment), e.g. that no link in a folder leads out of it.
    /// </summary>
    /// <exception cref="BackupKeyOutsideFolderException">Reading the key would leave the folder.</exception>
    void CheckInsideFolder(string key);

    /// <summary>Whether an object exists.</summary>
    Task<bool> ExistsAsync(string key, CancellationToken ct);

    /// <summary>Writes (or replaces) an object from a stream, read to its end; the object appears whole or not at all.</summary>
    Task WriteAsync(string key, Stream content, CancellationToken ct);

    /// <summary>Deletes an object; nothing happens when it does not exist. Only retention deletes, and only what its own resource wrote.</summary>
    /// <exception cref="NotSupportedException">This storage (e.g. a read-only wrapper) cannot delete.</exception>
    Task DeleteAsync(string key, CancellationToken ct) =>
        throw new NotSupportedException($"{GetType().Name} cannot delete {Describe(key)}");

    /// <summary>Keys starting with <paramref name="prefix"/>, in no particular order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken ct);
}
