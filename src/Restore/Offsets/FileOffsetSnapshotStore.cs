namespace KafkaRestored.Restore.Offsets;

/// <summary>Offset snapshots as <c>&lt;directory&gt;/&lt;id&gt;.yaml</c> files, in the same YAML as the repo copies (the CLI's store).</summary>
public sealed class FileOffsetSnapshotStore : IOffsetSnapshotStore
{
    /// <summary>Keeps snapshots in <paramref name="directory"/>, created on first save.</summary>
    public FileOffsetSnapshotStore(string directory) => Directory = Path.GetFullPath(directory);

    /// <summary>The folder holding the files.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public void Save(OffsetSnapshot snapshot)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = PathOf(snapshot.Id);
        var temp = Path.Combine(Directory, $".{snapshot.Id}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, OffsetSnapshotYaml.Render(snapshot));
        try
        {
            // A move that refuses to overwrite: two writers of one id cannot both succeed.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
            throw OffsetSnapshotErrors.Exists(Get(snapshot.Id) ?? snapshot);
        }
    }

    /// <inheritdoc />
    public OffsetSnapshot? Get(string id)
    {
        OffsetSnapshot.ValidateId(id);
        var path = PathOf(id);
        return File.Exists(path) ? OffsetSnapshotYaml.Parse(File.ReadAllText(path), path) : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<OffsetSnapshot> List() =>
        !System.IO.Directory.Exists(Directory) ? []
            : [.. System.IO.Directory.EnumerateFiles(Directory, "*.yaml")
                .Where(f => !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .Select(f => OffsetSnapshotYaml.Parse(File.ReadAllText(f), f))];

    private string PathOf(string id) => Path.Combine(Directory, id + ".yaml");
}
