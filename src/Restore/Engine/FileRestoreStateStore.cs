using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using KafkaRestored.Restore.Failures;
using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Restore.Engine;

/// <summary>
/// <see cref="IRestoreStateStore"/> as JSON files under a directory (the CLI's <c>--state-dir</c>):
/// <c>&lt;dir&gt;/&lt;restore key&gt;/checkpoints.json</c> and <c>offset-maps.json</c>. Every save
/// rewrites the file through a temporary file, fsync and rename, so a crash leaves the old or the
/// new content, never a torn one.
/// </summary>
public sealed class FileRestoreStateStore : IRestoreStateStore
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly Lock _gate = new();

    /// <summary>Uses (and creates) <paramref name="directory"/>.</summary>
    public FileRestoreStateStore(string directory)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>The state directory.</summary>
    public string Directory { get; }

    /// <summary>Folder holding the files of one restore key.</summary>
    public string RunDirectory(string restoreKey) => Path.Combine(Directory, SafeName(restoreKey));

    /// <inheritdoc />
    public IReadOnlyList<RestoreCheckpoint> GetCheckpoints(string restoreKey)
    {
        lock (_gate) return Read<List<RestoreCheckpoint>>(CheckpointsPath(restoreKey)) ?? [];
    }

    /// <inheritdoc />
    public void SaveCheckpoints(string restoreKey, IReadOnlyCollection<RestoreCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        if (checkpoints.Count == 0) return;
        lock (_gate)
        {
            var path = CheckpointsPath(restoreKey);
            var all = (Read<List<RestoreCheckpoint>>(path) ?? []).ToDictionary(c => (c.TargetTopic, c.Partition));
            foreach (var c in checkpoints) all[(c.TargetTopic, c.Partition)] = c;
            Write(path, all.Values.OrderBy(c => c.TargetTopic, StringComparer.Ordinal).ThenBy(c => c.Partition).ToList());
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<PartitionOffsetMap> GetOffsetMaps(string restoreKey)
    {
        lock (_gate)
        {
            var stored = Read<List<StoredMap>>(MapsPath(restoreKey)) ?? [];
            return [.. stored.Select(m => new PartitionOffsetMap(m.SourceTopic, m.TargetTopic, m.Partition,
                m.Runs.Select(r => new OffsetRun(r[0], r[1], r[2]))))];
        }
    }

    /// <inheritdoc />
    public void SaveOffsetMaps(string restoreKey, IReadOnlyCollection<PartitionOffsetMap> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        if (maps.Count == 0) return;
        lock (_gate)
        {
            var path = MapsPath(restoreKey);
            var all = (Read<List<StoredMap>>(path) ?? []).ToDictionary(m => (m.TargetTopic, m.Partition));
            foreach (var m in maps)
            {
                all[(m.TargetTopic, m.Partition)] = new StoredMap(m.SourceTopic, m.TargetTopic, m.Partition,
                    [.. m.Runs.Select(r => new[] { r.SourceStart, r.TargetStart, r.Length })]);
            }
            Write(path, all.Values.OrderBy(m => m.TargetTopic, StringComparer.Ordinal).ThenBy(m => m.Partition).ToList());
        }
    }

    /// <inheritdoc />
    public void DeleteRun(string restoreKey)
    {
        lock (_gate)
        {
            var dir = RunDirectory(restoreKey);
            if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
        }
    }

    private string CheckpointsPath(string restoreKey) => Path.Combine(RunDirectory(restoreKey), "checkpoints.json");

    private string MapsPath(string restoreKey) => Path.Combine(RunDirectory(restoreKey), "offset-maps.json");

    private static T? Read<T>(string path)
    {
        if (!File.Exists(path)) return default;
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException e)
        {
            throw new KafkaRestoredException(FailureReason.InvalidRestoreState,
                $"restore state file {path} is not valid JSON ({e.Message}); move it away to restart the restore from scratch (the target topics must then be emptied first).", e);
        }
    }

    private static void Write<T>(string path, T value)
    {
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(fs, value, Json);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>A file-name-safe form of the key: readable characters kept, plus a short hash so distinct keys never collide.</summary>
    private static string SafeName(string restoreKey)
    {
        var sb = new StringBuilder(restoreKey.Length + 9);
        foreach (var ch in restoreKey)
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '.' ? ch : '_');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(restoreKey)))[..8];
        return sb.Append('-').Append(hash).ToString();
    }

    private sealed record StoredMap(string SourceTopic, string TargetTopic, int Partition, List<long[]> Runs);
}
