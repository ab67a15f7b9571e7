using System.Diagnostics;
using System.Globalization;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.Planning;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>One timed reconcile cycle and the work it did.</summary>
internal sealed record CycleMeasurement(string Name, TimeSpan Elapsed, bool Skipped, long BlobsParsed, long StatusCommits, int ChangingActions);

/// <summary>Reconcile scale: cycles over a config repository of many resource files, and the state store it leaves.</summary>
internal sealed record ReconcileScaleResult(int Files, TimeSpan HumanPush, IReadOnlyList<CycleMeasurement> Cycles, long StateBytes, long StateLogBytes, long StateBytesAfterClose,
    TimeSpan ReadAllRecords, TimeSpan ScanAllRecords);

/// <summary>
/// Runs the real reconciler (Git clone and fetch from a bare repository, YAML loading, planner,
/// LiteDB state store, status commits pushed back) over a repository of <c>files</c> KafkaRestore
/// files. One worker (maxConcurrentRestores 1) is taken by the first restore, which waits on topic
/// creation that the mock broker never answers, so the planner starts none of the others: the cycles
/// measure the reconciler, not restores.
/// </summary>
internal static class ReconcileScale
{
    public static async Task<ReconcileScaleResult> MeasureAsync(int files, string workDir)
    {
        using var broker = MockKafkaBroker.Start(1);
        var backups = Path.Combine(workDir, "backups");
        var storage = new BenchStorage("filesystem", new StorageSpec(StorageType.Filesystem, null, new FilesystemStorageSpec(backups)), null);
        await RestoreContender.WriteBackupAsync(storage, new Dataset(10, 1), BackupCompression.None);

        using var remote = new GitRemote();
        var content = new Dictionary<string, string?>(files);
        for (var i = 0; i < files; i++)
            content[$"restores/team{i % 50}/r-{i}.yaml"] = Yaml(i, $"absent-{i}", broker.BootstrapServers, backups);
        var push = Stopwatch.StartNew();
        remote.HumanCommit($"{files} restores", content);
        push.Stop();
        Console.WriteLine($"reconcile: {files:N0} resource files pushed by the human clone in {push.Elapsed.TotalSeconds:F2} s");

        var options = new ReconcilerOptions
        {
            RepositoryUrl = remote.BarePath,
            Branch = remote.Branch,
            StateDirectory = Path.Combine(workDir, "state"),
            MaxConcurrentRestores = 1,
        };
        var cycles = new List<CycleMeasurement>();
        var store = StateStore.Open(options.StateDirectory);
        long stateBytes, logBytes;
        TimeSpan readAll, scanAll;
        using (var git = new GitSource(options))
        {
            var runner = new KafkaRestoreRunner { Tuning = RestoreTuning.Default with { TopicCreationTimeout = TimeSpan.FromMinutes(30) } };
            await using var loop = ReconcileLoop.Create(options, store, git, [runner]);
            Task Cycle(string name) => MeasureCycleAsync(loop, name, cycles);

            await Cycle("first full cycle (clone, parse all, record all, publish all statuses)");
            // A cycle that finds the fetched commit unchanged (our own status commit excepted) and
            // nothing due returns at once; one that has something to record plans again from cached parses.
            await Cycle("no change after fetch (1st)");
            await Cycle("no change after fetch (2nd)");
            await Cycle("no change after fetch (3rd)");
            remote.HumanCommit("edit one restore", new Dictionary<string, string?> { ["restores/team7/r-7.yaml"] = Yaml(7, "absent-7-renamed", broker.BootstrapServers, backups) });
            await Cycle("one file changed (new generation of one resource)");
            await Cycle("no change after the edit");
            // A cycle that is not skipped reads every record (plan, apply, publish, next due): from the writer's
            // copy, and, side by side, by scanning the file as a read-only opener (and, before the copy, the writer) does.
            readAll = Median(files, () => store.Resources().Count);
            scanAll = Median(files, () =>
            {
                using var reader = StateStore.Open(options.StateDirectory, readOnly: true);
                return reader.Resources().Count;
            });
            Console.WriteLine($"reconcile: reading all {files:N0} records: {readAll.TotalSeconds:F3} s from the writer's copy, {scanAll.TotalSeconds:F3} s scanning the file (medians of 3)");
            stateBytes = FileSize(store.Path);
            logBytes = FileSize(LogPath(store.Path));
        }
        store.Dispose();
        var closed = FileSize(store.Path) + FileSize(LogPath(store.Path));
        Console.WriteLine($"reconcile: state store {stateBytes / 1e6:F1} MB + log {logBytes / 1e6:F1} MB while open, {closed / 1e6:F1} MB after close");
        return new ReconcileScaleResult(files, push.Elapsed, cycles, stateBytes, logBytes, closed, readAll, scanAll);
    }

    /// <summary>Runs one cycle, records how long it took and what it did, and prints it.</summary>
    private static async Task MeasureCycleAsync(ReconcileLoop loop, string name, List<CycleMeasurement> cycles)
    {
        var parsed = loop.BlobsParsed;
        var commits = loop.Counters.StatusCommits;
        var sw = Stopwatch.StartNew();
        var report = await loop.RunCycleAsync(CancellationToken.None);
        sw.Stop();
        if (!report.Synced) throw new InvalidOperationException($"reconcile cycle '{name}' did not sync: {report.Error} {report.Publish}");
        var m = new CycleMeasurement(name, sw.Elapsed, report.Skipped, loop.BlobsParsed - parsed, loop.Counters.StatusCommits - commits,
            report.Actions.Count(a => a.Kind is not (PlanActionKind.Unchanged or PlanActionKind.Wait)));
        cycles.Add(m);
        Console.WriteLine($"reconcile: {name}: {m.Elapsed.TotalSeconds:F3} s, skipped {m.Skipped}, {m.BlobsParsed:N0} blobs parsed, {m.StatusCommits} status commits, {m.ChangingActions:N0} changing actions");
    }

    /// <summary>The median of three timed reads, each of which must see all <paramref name="files"/> records.</summary>
    private static TimeSpan Median(int files, Func<int> read)
    {
        var reads = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            var sw = Stopwatch.StartNew();
            if (read() != files) throw new InvalidOperationException("the state store lost records");
            reads.Add(sw.Elapsed);
        }
        return reads.Order().ElementAt(1);
    }

    private static string LogPath(string db) => Path.Combine(Path.GetDirectoryName(db)!, Path.GetFileNameWithoutExtension(db) + "-log" + Path.GetExtension(db));

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Yaml(int i, string target, string bootstrap, string backups) => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: r-{i}
          namespace: team-{i % 50}
          labels:
            app: billing-{i % 7}
        spec:
          backupId: {RestoreContender.BackupId}
          targetCluster:
            bootstrapServers: ["{bootstrap}"]
          storage:
            storageType: filesystem
            filesystem:
              path: "{backups}"
          topics: [bench]
          topicMapping:
            bench: {target}
          includeOriginalOffsetHeader: true
          job:
            backoffLimit: 3
            ttlSecondsAfterFinished: 86400

        """);
}
