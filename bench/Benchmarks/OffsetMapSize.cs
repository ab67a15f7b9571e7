using System.Text.Json;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Provenance;

namespace KafkaRestored.Benchmarks;

/// <summary>Size of one restore's persisted offset maps.</summary>
internal sealed record OffsetMapMeasurement(string Scenario, long Selected, long Runs, long LiteDbBytes, long JsonBytes);

/// <summary>
/// Offset map size: the maps a restore of the dataset persists, for selections with and without
/// discontinuities. The maps are built as the engine's partition worker builds them
/// (<see cref="PartitionOffsetMap.Add"/> with the source offset of each selected record and the next
/// target offset of a fresh partition) and saved through the reconciler's LiteDB store and the CLI's
/// file store, the two places a restore keeps them.
/// </summary>
internal static class OffsetMapSize
{
    /// <summary>A backup's view of one source record: its offset in the partition and whether the restore selects it.</summary>
    private delegate (long Offset, bool Selected) SourceRecord(long index);

    public static IReadOnlyList<OffsetMapMeasurement> Measure(Dataset dataset, string workDir)
    {
        var results = new List<OffsetMapMeasurement>
        {
            Run("no gaps (whole backup, or PITR over in-order timestamps)", dataset, workDir, i => (i, true)),
            // Late records: 1 in 100 carries a timestamp after the PITR instant (a producer with a
            // skewed clock), so the cut leaves a hole every ~100 offsets instead of one clean end.
            Run("PITR gaps: 1% of records after the instant, spread evenly", dataset, workDir, i => (i, Mix(i) % 100 != 0)),
            // Backup gaps: a transactional source writes a commit marker every 100 records; markers
            // take an offset but are not records, so the backup's offsets skip one every 100.
            Run("backup gaps: one missing offset every 100 (transaction markers)", dataset, workDir, i => (i + (i / 100), true)),
            Run("both: transaction markers and 1% late records", dataset, workDir, i => (i + (i / 100), Mix(i) % 100 != 0)),
            // Worst case: two producers with clocks an hour apart interleaved record by record, PITR
            // between them: every other record is cut, every selected record is its own run.
            Run("worst case: PITR cuts every other record", dataset, workDir, i => (i, i % 2 == 0)),
        };
        return results;
    }

    private static OffsetMapMeasurement Run(string scenario, Dataset dataset, string workDir, SourceRecord source)
    {
        var maps = new List<PartitionOffsetMap>(dataset.Partitions);
        long selected = 0;
        for (var p = 0; p < dataset.Partitions; p++)
        {
            var map = new PartitionOffsetMap("bench", "restored", p);
            long target = 0;
            var count = (dataset.Records / dataset.Partitions) + (p < dataset.Records % dataset.Partitions ? 1 : 0);
            for (long i = 0; i < count; i++)
            {
                var (offset, take) = source(i);
                if (!take) continue;
                map.Add(offset, target++);
                selected++;
            }
            maps.Add(map);
        }
        var runs = maps.Sum(m => (long)m.Runs.Count);
        const string key = "KafkaRestore/team-1/restore-1#g1";

        var dir = Path.Combine(workDir, "offset-maps-" + Guid.NewGuid().ToString("N")[..8]);
        StateStore.Open(Path.Combine(dir, "empty")).Dispose();
        var empty = DirectorySize(Path.Combine(dir, "empty"));
        long liteDb;
        try
        {
            using (var store = StateStore.Open(Path.Combine(dir, "litedb")))
                new LiteDbRestoreStateStore(store).SaveOffsetMaps(key, maps);
            liteDb = DirectorySize(Path.Combine(dir, "litedb")) - empty;
        }
        catch (LiteDB.LiteException e)
        {
            // One document per partition: LiteDB refuses documents over ~16 MB (about 370,000 runs).
            Console.WriteLine($"offset maps: {scenario}: LiteDB refused the save: {e.Message}");
            liteDb = -1;
        }

        var files = new FileRestoreStateStore(Path.Combine(dir, "files"));
        files.SaveOffsetMaps(key, maps);
        var json = DirectorySize(files.RunDirectory(key));
        if (files.GetOffsetMaps(key).Sum(m => m.Runs.Count) != runs) throw new InvalidOperationException("offset maps did not round-trip through the file store");
        Directory.Delete(dir, recursive: true);
        Console.WriteLine($"offset maps: {scenario}: {selected:N0} records, {runs:N0} runs, LiteDB {(liteDb < 0 ? "refused" : $"{liteDb / 1e3:N0} kB")}, JSON {json / 1e3:N0} kB");
        return new OffsetMapMeasurement(scenario, selected, runs, liteDb, json);
    }

    /// <summary>Runs and bytes of the offset maps a real restore left in a CLI state directory.</summary>
    public static (long Runs, long Bytes) FromStateDirectory(string stateDir)
    {
        long runs = 0, bytes = 0;
        foreach (var file in Directory.EnumerateFiles(stateDir, "offset-maps.json", SearchOption.AllDirectories))
        {
            bytes += new FileInfo(file).Length;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var map in doc.RootElement.EnumerateArray()) runs += map.GetProperty("runs").GetArrayLength();
        }
        return (runs, bytes);
    }

    private static ulong Mix(long i)
    {
        var x = (ulong)i * 0x9E3779B97F4A7C15UL;
        x ^= x >> 31;
        return x * 0xBF58476D1CE4E5B9UL >> 29;
    }

    private static long DirectorySize(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
