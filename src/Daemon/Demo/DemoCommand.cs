using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Daemon.Cli;
using KafkaRestored.Daemon.Configuration;
using KafkaRestored.Daemon.Hosting;
using KafkaRestored.Daemon.Http;
using KafkaRestored.EmbeddedKafka;
using KafkaRestored.Reconciler;
using KafkaRestored.Reconciler.Execution;
using KafkaRestored.Reconciler.Git;
using KafkaRestored.Reconciler.State;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Kafka;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Policy;
using KafkaRestored.Restore.Resources.Status;
using LibGit2Sharp;
using Microsoft.Extensions.Logging;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace KafkaRestored.Daemon.Demo;

/// <summary>
/// <c>kafka-restored demo</c> (SPEC 10): the whole GitOps loop on one machine with nothing
/// installed. An embedded Kafka-protocol cluster, sample backups written by the product's own
/// writer, a bare "remote" config repo seeded from examples/repo, the reconciler run until the
/// restores settle, one run of the example KafkaBackup and one drill of its backup (each started by
/// a rerun annotation committed to Git), then the status history from git log and a sample of restored records.
/// </summary>
internal static class DemoCommand
{
    private const string Branch = "main";

    /// <summary>The status page's address unless --http-listen says otherwise: loopback, a port the system picks (printed).</summary>
    public const string DefaultListen = "http://127.0.0.1:0";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var dirOption = new Option<string?>("--dir") { Description = "Folder for the demo's repo, backups and state (default: a new temporary folder, kept for inspection)" };
        var recordsOption = new Option<int>("--records") { Description = "Records per partition in the sample backups (default 2000)", DefaultValueFactory = _ => 2000 };
        var listenOption = new Option<string>("--http-listen")
        {
            Description = $"Where the status page is served while the demo runs: http://HOST:PORT or off (default {DefaultListen}, a free loopback port)",
            DefaultValueFactory = _ => DefaultListen,
        };
        var serveOption = new Option<bool>("--serve") { Description = "Keep the embedded cluster and the status page up after the restores settle, until Ctrl+C" };
        var command = new Command("demo", "Run the whole GitOps restore loop locally on embedded defaults (no Kafka, S3 or Git server needed)")
        {
            dirOption, recordsOption, listenOption, serveOption,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var records = parse.GetValue(recordsOption);
            if (records < 1)
            {
                error.WriteLine("kafka-restored demo: --records must be at least 1.");
                return Program.UsageError;
            }
            var listen = parse.GetValue(listenOption)!;
            if (new DaemonOptions { HttpListen = listen }.Validate() is [var listenProblem, ..])
            {
                error.WriteLine($"kafka-restored demo: --http-listen: {listenProblem}");
                return Program.UsageError;
            }
            var dir = Path.GetFullPath(parse.GetValue(dirOption) ?? Path.Combine(Path.GetTempPath(), $"kafka-restored-demo-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            {
                error.WriteLine($"kafka-restored demo: {dir} is not empty; give an empty or new folder with --dir.");
                return Program.UsageError;
            }
            var examples = Path.Combine(AppContext.BaseDirectory, "examples", "repo");
            if (!Directory.Exists(examples))
            {
                error.WriteLine($"kafka-restored demo: the example config repo is missing from {examples}; reinstall or rebuild kafka-restored.");
                return 1;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(3));
            try
            {
                return await RunAsync(dir, examples, records, new DemoPage(listen, parse.GetValue(serveOption), ct), output, timeout.Token);
            }
            catch (ListenerBindException e)
            {
                error.WriteLine($"kafka-restored demo: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string dir, string examples, int recordsPerPartition, DemoPage page, TextWriter output, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(dir);
        output.WriteLine($"kafka-restored demo in {dir}");

        var librdkafka = BundledLibrdkafka.Load();
        using var cluster = EmbeddedKafkaCluster.Start(librdkafka.Path, 3);
        output.WriteLine($"[1/6] embedded Kafka-protocol cluster (librdkafka {librdkafka.Version} mock, 3 brokers) at {cluster.BootstrapServers}");

        var backups = Path.Combine(dir, "backups");
        var seed = Path.Combine(dir, "seed");
        var needs = DemoRepoBuilder.Build(examples, seed, cluster.BootstrapServers, backups, DemoBackups.Topics);
        // The mock cannot create topics through the Admin API; a real cluster would let the restore (and the drill) do it.
        foreach (var topic in needs.TargetTopics) cluster.CreateTopic(topic, DemoBackups.Partitions, 1);
        var perBackup = await DemoBackups.WriteAsync(backups, needs.BackupIds, needs.ConsumerGroups, recordsPerPartition, ct);
        output.WriteLine($"[2/6] {Plural.Of(needs.BackupIds.Count, "sample backup")} ({Plural.Of(perBackup, "record", format: "N0")} each, topics {string.Join(", ", DemoBackups.Topics)}) written to {backups}");
        var live = DemoLiveTopics.Fill(cluster, needs.LiveTopics, recordsPerPartition);
        output.WriteLine($"      and {Plural.Of(live, "record", format: "N0")} produced into the cluster's live topics {string.Join(", ", needs.LiveTopics)} for the KafkaBackup to back up");

        var remote = Path.Combine(dir, "config.git");
        SeedRemote(seed, remote);
        output.WriteLine($"[3/6] config repo {remote}: {Plural.Of(needs.ResourceFiles.Count, "resource file")} from examples/repo (KafkaRestores, a KafkaBackup and a drill of it), pointed at the embedded cluster and the backup folder");

        var options = DemoOptions(dir, remote, cluster.BootstrapServers, backups);
        output.WriteLine($"[4/6] running the reconciler until every restore settles (Policy: every namespace may reach {cluster.BootstrapServers} and {backups}, nothing else)...");
        using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            .SetMinimumLevel(LogLevel.Information).AddFilter("KafkaRestored.Restore", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning));
        // Once the restores settle, the KafkaBackup and then the drill of its newest backup run on a rerun annotation (their schedules are nightly and weekly).
        async Task RunScheduledAsync(ReconcileLoop loop)
        {
            output.WriteLine("[5/6] the KafkaBackup and then the drill of its newest backup, each run now by setting the kafka.oso.sh/rerun annotation in Git " +
                "(their own schedules are nightly and weekly)...");
            foreach (var file in needs.ScheduledFiles)
            {
                var path = Path.Combine(seed, file);
                var (kind, name) = DemoRepoBuilder.Identity(path);
                Change(seed, $"Run {kind} {name} now ({ObjectMeta.RerunAnnotation})", () => DemoRepoBuilder.Annotate(path, ObjectMeta.RerunAnnotation, "demo"));
                await loop.RunUntilIdleAsync(ct);
            }
        }
        var final = await ReconcileAsync(options, page, logging, output, RunScheduledAsync,
            records => Report(output, remote, cluster.BootstrapServers, dir, clock.Elapsed, records), ct);
        return final.All(r => r.Phase == ResourcePhase.Completed) ? 0 : 1;
    }

    /// <summary>Step 5: the status history, each resource, a sample of restored records and how to look around.</summary>
    private static void Report(TextWriter output, string remote, string bootstrap, string dir, TimeSpan elapsed, IReadOnlyList<ResourceRecord> final)
    {
        output.WriteLine();
        output.WriteLine("[6/6] status history, as `git log --oneline` shows it in the config repo:");
        PrintHistory(output, remote);
        output.WriteLine();
        output.WriteLine("resources:");
        PrintResources(output, final);
        // full-restore asks for the original-offset headers, so its records show where they came from.
        PrintSample(output, bootstrap, "full-restore.orders");
        output.WriteLine();
        // Absolute paths, so the commands work as printed from any folder.
        var clone = Path.Combine(dir, "config");
        output.WriteLine($"done in {elapsed.TotalSeconds:F1} s. Look around, from any folder:");
        output.WriteLine($"  git clone -q {Shell(remote)} {Shell(clone)} && cat {Shell(clone)}/status/kafkarestore/default/*.yaml");
    }

    /// <summary>
    /// Runs the reconciler until every resource settles and then <paramref name="scheduled"/>, the status page served meanwhile (its address printed), then
    /// <paramref name="report"/>; with --serve the page stays up after that until Ctrl+C.
    /// </summary>
    private static async Task<IReadOnlyList<ResourceRecord>> ReconcileAsync(ReconcilerOptions options, DemoPage page, ILoggerFactory logging, TextWriter output,
        Func<ReconcileLoop, Task> scheduled, Action<IReadOnlyList<ResourceRecord>> report, CancellationToken ct)
    {
        using var store = StateStore.Open(options.StateDirectory);
        using var git = new GitSource(options, logging.CreateLogger("KafkaRestored.Git"));
        await using var loop = ReconcileLoop.Create(options, store, git, Runners.All(), TimeProvider.System, logging.CreateLogger("KafkaRestored.Reconciler"));
        using var history = new StatusHistory(options);
        await using var http = page.Enabled ? new HttpEndpointService(page.Listen, new DaemonEndpoints(
            Health: () => new HealthReport(true, new Dictionary<string, object?>()),
            Metrics: () => DrillMetrics.Collect(store.Resources(includeTombstones: false), DateTimeOffset.UtcNow),
            TriggerCycle: loop.Trigger,
            WebhookSecret: () => null,
            StatusPage: StatusPageSource.Of(store, () => loop, () => history, TimeProvider.System)), logging) : null;
        if (http is not null)
        {
            await http.BindAsync(ct);
            output.WriteLine($"      status page: {http.BoundAddress}/ (read-only; open it in a browser while the demo runs)");
        }
        await loop.RunUntilIdleAsync(ct);
        await scheduled(loop);
        var final = store.Resources(includeTombstones: false);
        report(final);
        if (page.Serve)
        {
            output.WriteLine(http is null ? "serving the embedded cluster; Ctrl+C stops the demo"
                : $"serving the status page at {http.BoundAddress}/ and the embedded cluster; Ctrl+C stops the demo");
            try
            {
                await Task.Delay(Timeout.Infinite, page.Stop);
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("kafka-restored demo: stopped");
            }
        }
        return final;
    }

    /// <summary>The reconciler's settings for the demo: fast polling and retries, and a policy that reaches only the embedded cluster and the backup folder.</summary>
    private static ReconcilerOptions DemoOptions(string dir, string remote, string bootstrapServers, string backups) =>
        new()
        {
            RepositoryUrl = remote,
            Branch = Branch,
            StateDirectory = Path.Combine(dir, "state"),
            PollInterval = TimeSpan.FromSeconds(1),
            MaxConcurrentRestores = 3,
            ProgressCommitInterval = TimeSpan.FromSeconds(2),
            RetryBaseDelay = TimeSpan.FromSeconds(1),
            RetryMaxDelay = TimeSpan.FromSeconds(4),
            BotName = "kafka-restored",
            BotEmail = "kafka-restored@demo.local",
            // Exactly what the demo's resources need: the embedded cluster and the backup folder, nothing else (docs/SECURITY.md).
            Policy = new()
            {
                [HostPolicy.AnyNamespace] = new PolicyEntry
                {
                    Clusters = [.. bootstrapServers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    Folders = [backups],
                },
            },
        };

    /// <summary>Prints the newest 20 commits on the remote's branch, as `git log --oneline` shows them.</summary>
    private static void PrintHistory(TextWriter output, string remote)
    {
        using (var repo = new Repository(remote))
        {
            var newestFirst = repo.Commits.QueryBy(new CommitFilter
            {
                IncludeReachableFrom = repo.Branches[Branch],
                SortBy = CommitSortStrategies.Topological,
            });
            foreach (var c in newestFirst.Take(20))
                output.WriteLine($"  {c.Sha[..7]} {c.MessageShort}");
        }
    }

    /// <summary>Prints each resource's kind, name, phase, records (restored, backed up or verified), Ready reason and what it did.</summary>
    private static void PrintResources(TextWriter output, IReadOnlyList<ResourceRecord> final)
    {
        foreach (var r in final.OrderBy(r => r.Id.Name, StringComparer.Ordinal))
        {
            var reason = r.Status.Conditions.FirstOrDefault(c => c.Type == "Ready");
            var (records, detail) = r.Status switch
            {
                KafkaRestoreStatus { OffsetResetStatus: { } o } s => (s.RestoredRecords,
                    $"; offsets: {Plural.Of(o.GroupsReset.Count, "group")} reset{(o.GroupsFailed.Count > 0 ? $", {o.GroupsFailed.Count} failed" : "")}"),
                KafkaRestoreStatus s => (s.RestoredRecords, ""),
                KafkaBackupStatus { LastBackup: { } b } => (b.Records, $"; wrote backup {b.BackupId}"),
                KafkaRestoreDrillStatus { LastRuns: [var run, ..] } => (run.RecordsVerified, $"; drilled backup {run.BackupId}\n      {run.Message}"),
                _ => ((long?)null, ""),
            };
            var count = records is { } n ? Plural.Of(n, "record", format: "N0") : "";
            output.WriteLine($"  {r.Id.Kind,-17} {r.Id.ShortName,-34} {r.Phase,-10} {count,-16} {reason?.Reason}{detail}");
        }
    }

    /// <summary>A path as one shell word: as it is when it holds only safe characters, else in single quotes.</summary>
    private static string Shell(string path) =>
        path.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-') ? path : "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Commits the seed folder as a platform engineer would and pushes it to a new bare remote on main.</summary>
    private static void SeedRemote(string seed, string remote)
    {
        Repository.Init(remote, isBare: true);
        using (var bare = new Repository(remote)) bare.Refs.UpdateTarget("HEAD", "refs/heads/" + Branch);
        Repository.Init(seed);
        using var repo = new Repository(seed);
        repo.Network.Remotes.Add("origin", remote);
        CommitAndPush(repo, "Add disaster-recovery restores from examples/repo");
    }

    /// <summary>Pulls main (the daemon's status commits), lets <paramref name="edit"/> change the seed folder, and commits and pushes that as the platform engineer.</summary>
    private static void Change(string seed, string message, Action edit)
    {
        using var repo = new Repository(seed);
        Commands.Fetch(repo, "origin", [$"+refs/heads/{Branch}:refs/remotes/origin/{Branch}"], null, null);
        repo.Reset(ResetMode.Hard, repo.Branches[$"origin/{Branch}"].Tip);
        edit();
        CommitAndPush(repo, message);
    }

    private static void CommitAndPush(Repository repo, string message)
    {
        Commands.Stage(repo, "*");
        var engineer = new Signature("Platform Engineer", "platform@demo.local", DateTimeOffset.UtcNow);
        repo.Commit(message, engineer, engineer);
        repo.Network.Push(repo.Network.Remotes["origin"], $"{repo.Head.CanonicalName}:refs/heads/{Branch}");
    }

    private static void PrintSample(TextWriter output, string bootstrap, string topic)
    {
        output.WriteLine();
        output.WriteLine($"sample of restored records in '{topic}' (partition 0):");
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "kafka-restored-demo-reader",
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(new TopicPartitionOffset(topic, 0, Offset.Beginning));
        for (var i = 0; i < 3; i++)
        {
            var r = consumer.Consume(TimeSpan.FromSeconds(10));
            if (r is null) break;
            var headers = string.Join(", ", r.Message.Headers.Select(h => $"{h.Key}={HeaderText(h.Key, h.GetValueBytes())}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  offset {r.Offset.Value} {r.Message.Timestamp.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ} key={Text(r.Message.Key)} value={Text(r.Message.Value)}"));
            output.WriteLine($"    headers: {headers}");
        }
        consumer.Close();
    }

    private static string HeaderText(string key, byte[]? value) => value switch
    {
        null => "null",
        { Length: 8 } when key is "x-original-offset" or "x-original-timestamp" => BitConverter.ToInt64(value).ToString(CultureInfo.InvariantCulture),
        { Length: 4 } when key == "x-source-partition" => BitConverter.ToInt32(value).ToString(CultureInfo.InvariantCulture),
        _ => Encoding.UTF8.GetString(value),
    };

    private static string Text(byte[]? bytes) => bytes is null ? "null" : Encoding.UTF8.GetString(bytes);
}
