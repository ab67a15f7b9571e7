using System.Text.Json;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A backup read without the product's reader: the manifest parsed as plain JSON and each segment decoded by
/// tests/TestSupport/python/kbak_decode.py, written from docs/backup-format.md alone. Needs python3 with the
/// zstandard and lz4 modules for compressed segments (scripts/install-test-tools.sh installs them).
/// </summary>
public static class IndependentKbak
{
    /// <summary>One decoded record.</summary>
    public sealed record Record(long Offset, long Timestamp, byte[]? Key, byte[]? Value, IReadOnlyList<(string Key, byte[]? Value)> Headers);

    /// <summary>The records of every partition of every topic in the backup under <paramref name="folder"/> (a folder store), in the manifest's segment order.</summary>
    public static Dictionary<(string Topic, int Partition), List<Record>> Read(string folder, string backupId)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, backupId, "manifest.json")));
        var result = new Dictionary<(string, int), List<Record>>();
        foreach (var t in manifest.RootElement.GetProperty("topics").EnumerateArray())
        {
            foreach (var p in t.GetProperty("partitions").EnumerateArray())
            {
                var files = p.GetProperty("segments").EnumerateArray().Select(s => Path.Combine(folder, s.GetProperty("key").GetString()!)).ToList();
                result[(t.GetProperty("name").GetString()!, p.GetProperty("partition_id").GetInt32())] = [.. Decode(files)];
            }
        }
        return result;
    }

    /// <summary>The keys of every segment the backup's manifest lists.</summary>
    public static IReadOnlyList<string> ListedSegments(string folder, string backupId)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, backupId, "manifest.json")));
        return [.. manifest.RootElement.GetProperty("topics").EnumerateArray()
            .SelectMany(t => t.GetProperty("partitions").EnumerateArray())
            .SelectMany(p => p.GetProperty("segments").EnumerateArray())
            .Select(s => s.GetProperty("key").GetString()!)];
    }

    /// <summary>Every record of the segment files, in order; fails naming the file and the check on a malformed one.</summary>
    public static IReadOnlyList<Record> Decode(IReadOnlyList<string> segmentFiles)
    {
        if (segmentFiles.Count == 0) return [];
        var script = Path.Combine(RepoPaths.Root, "tests", "TestSupport", "python", "kbak_decode.py");
        var run = ProcessRunner.Run(ProcessRunner.Python, [script, .. segmentFiles], timeout: TimeSpan.FromMinutes(2));
        if (run.ExitCode != 0) throw new InvalidOperationException($"kbak_decode.py failed (exit {run.ExitCode}): {run.StdErr}");
        return [.. run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse)];
    }

    private static Record Parse(string line)
    {
        using var json = JsonDocument.Parse(line);
        var r = json.RootElement;
        static byte[]? Bytes(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Convert.FromBase64String(e.GetString()!);
        return new Record(r.GetProperty("offset").GetInt64(), r.GetProperty("timestamp").GetInt64(), Bytes(r.GetProperty("key")), Bytes(r.GetProperty("value")),
            [.. r.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, Bytes(h[1])))]);
    }
}
