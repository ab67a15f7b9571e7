using System.Globalization;
using System.Text;
using Confluent.Kafka;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Reliability.Nemesis;

/// <summary>
/// Issue 23, the nemesis: the real daemon on its own mock cluster, s3rver and a bare Git remote works
/// through restores a human commits (from folders and S3, some deleted while they run, the branch
/// force-pushed now and then) while a seeded random schedule kills and pauses the daemon, takes the
/// brokers down, fails and slows produce requests, kills s3rver and makes the Git remote refuse or
/// stall pushes, alone and overlapping. Then the faults stop, and from outside the product: every
/// completed restore's target holds exactly its backup's records in order; no record landed after a
/// cancellation was committed; every status file's history only moves forward; the bot never forced
/// a push; no secret anywhere; the daemon answers /healthz and finishes the queue.
/// About two minutes by default, with a fixed seed; <c>KAFKA_RESTORED_NEMESIS_MINUTES=30</c> runs longer with a new seed
/// each time; <c>KAFKA_RESTORED_NEMESIS_SEED</c> replays a run's schedule; <c>KAFKA_RESTORED_NEMESIS_DAEMONS=3</c> runs three
/// daemons in distributed mode instead of one (not yet passing: docs/RELIABILITY.md says what it found).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NemesisTests(ITestOutputHelper log) : IDisposable
{
    private const int Partitions = 6;
    private const int PerPartition = 12_000;

    // Every answer takes this long, so a restore (about 10,000 records unacknowledged per round trip at the 8 MiB floor) lasts
    // seconds on any machine and the faults land mid-way.
    private const int BaselineRttMs = 300;

    // A schedule with every kind of fault at least twice in its 75 s (drawn: 3 kills, 2 pauses, 3 outages, 2 produce-error bursts,
    // 4 slowdowns, 3 s3rver kills, 3 refusing and 4 stalling remotes, 3 full state disks). The schedule before the full disk was
    // added, 223101875, draws from one kind fewer.
    private const int DefaultSeed = 1124499;

    private readonly TempDir _dir = new("kr-nemesis");
    private readonly GitRemote _remote = new();
    private string _bucket = "";

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Every_fault_at_random_and_at_once_loses_nothing_doubles_nothing_and_history_only_moves_forward()
    {
        var longRun = double.TryParse(Environment.GetEnvironmentVariable("KAFKA_RESTORED_NEMESIS_MINUTES"), CultureInfo.InvariantCulture, out var m);
        var minutes = longRun ? m : 1.25;
        // The short run in the default suite (CI's gate) replays one schedule that injects every kind of fault; a long run
        // explores a new one each time. KAFKA_RESTORED_NEMESIS_SEED chooses, for either.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KAFKA_RESTORED_NEMESIS_SEED"), CultureInfo.InvariantCulture, out var s) ? s
            : longRun ? Random.Shared.Next() : DefaultSeed;
        var schedule = new NemesisSchedule(seed);
        log.WriteLine($"nemesis seed {seed}, {minutes} minutes of faults");
        using var broker = MockKafkaBroker.Start();
        using var s3 = new S3rverFixture();
        var secrets = _dir.Combine("secrets");
        AzuriteFixture.WriteSecret(secrets, "s3-credentials", "accessKey", S3rverFixture.AccessKey);
        AzuriteFixture.WriteSecret(secrets, "s3-credentials", "secretKey", S3rverFixture.SecretKey);
        var restores = await PrepareAsync(broker, s3, secrets, Math.Max(6, (int)(minutes * 4)), new Random(seed));
        broker.SetRtt(BaselineRttMs);

        // KAFKA_RESTORED_NEMESIS_DAEMONS=3: three daemons of one deployment in distributed mode (coordinated through the mock cluster,
        // restores spread over them as units) instead of one.
        var count = int.TryParse(Environment.GetEnvironmentVariable("KAFKA_RESTORED_NEMESIS_DAEMONS"), CultureInfo.InvariantCulture, out var n) ? n : 1;
        log.WriteLine($"{count} daemon(s)");
        var coordination = count > 1 ? Coordination(broker) : new Dictionary<string, string?>();
        // Each state directory (state.db and the clones) on a disk of its own that the nemesis fills, where the machine lets a test mount one.
        var stateDisks = SmallDisk.SkipReason is null ? Enumerable.Range(0, count).Select(_ => new SmallDisk(256)).ToList() : null;
        if (stateDisks is null) log.WriteLine($"StateDiskFull is drawn but not injected: {SmallDisk.SkipReason}");
        var ports = Enumerable.Range(0, count).Select(_ => DaemonProcess.FreePort()).ToList();
        var daemons = Enumerable.Range(0, count).Select(i =>
        {
            var name = count > 1 ? $"nem-{i + 1}" : "vm";
            var state = stateDisks?[i].Path ?? _dir.Combine("state-" + name);
            var settings = new Dictionary<string, string?>(coordination)
            {
                ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
                ["KAFKA_RESTORED_ProgressCommitInterval"] = "00:00:01",
                ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
            };
            if (count > 1) settings["KAFKA_RESTORED_InstanceId"] = name;
            return new NemesisDaemon(name, () => new DaemonProcess(
                ["run", "--repo", _remote.BarePath, "--branch", _remote.Branch, "--state-dir", state, "--secrets-dir", secrets, "--http-listen", $"http://127.0.0.1:{ports[i]}"],
                TestPolicy.WithAllowAll(settings)));
        }).ToList();
        using var cleanup = new Cleanup(daemons, stateDisks);
        foreach (var d in daemons) d.Start();
        var daemon = new NemesisDeployment(daemons);
        using var gitGate = new SemaphoreSlim(1);
        var human = new NemesisHuman(_remote, broker, gitGate, schedule, new Random(seed + 1), ToYaml(broker, s3));
        var faults = new NemesisFaults(broker, s3, _remote, daemons, schedule, gitGate, new Random(seed + 2), BaselineRttMs, stateDisks);
        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        try
        {
            var nemesis = faults.RunAsync(stop.Token);
            await human.WorkAsync(restores, daemon.RestartIfExited, stop.Token);
            await nemesis;
            schedule.Note("the nemesis stops: everything healed");
            // The daemon runs two restores at a time and the human commits four a minute, so a long run on a loaded machine
            // ends with a queue (a 30-minute run beside two other heavy jobs left 42 restores, seed 1293783888): the time to
            // finish grows with it, and a failure shows the daemon's own log, which tells a stall from slowness.
            var queued = restores.Count(r => human.RemotePhase(r) is not ("Completed" or "Failed"));
            var finish = TimeSpan.FromMinutes(8) + TimeSpan.FromSeconds(30) * queued;
            schedule.Note($"{queued} restores not ended yet; waiting up to {finish.TotalMinutes:0.#} minutes");
            try
            {
                await human.FinishAsync(restores, daemon.RestartIfExited, faults.OutageSince, finish);
            }
            catch (Xunit.Sdk.XunitException e)
            {
                Assert.Fail($"{e.Message}\nthe daemon's log:\n{Tail(daemon.Output)}");
            }
            schedule.Note("every restore ended");
            await CheckAsync(broker, restores, human, daemon, ports, schedule, faults);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\n{schedule}\n{Tail(daemon.Output)}", e);
        }
        finally
        {
            log.WriteLine(schedule.ToString());
        }
    }

    /// <summary>The checks from outside, after every fault healed and every restore ended.</summary>
    private async Task CheckAsync(MockKafkaBroker broker, List<NemesisRestore> restores, NemesisHuman human, NemesisDeployment daemon, List<int> ports,
        NemesisSchedule schedule, NemesisFaults faults)
    {
        // Every daemon that runs now answers, and none the nemesis left standing was one that died of its own accord.
        var metrics = "";
        foreach (var port in ports)
        {
            using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) })
            using (var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative)))
                Assert.True(health.IsSuccessStatusCode, $"/healthz on port {port} answered {(int)health.StatusCode}\n{schedule}");
            metrics += await GetAsync(port, "/metrics");
        }
        Assert.True(daemon.Stop() == 0, "the last daemon did not stop cleanly on SIGTERM\n" + schedule);
        Assert.True(daemon.UnexpectedExits.Count == 0, $"the daemon exited on its own: {string.Join(", ", daemon.UnexpectedExits)}\n{schedule}\n{Tail(daemon.Output)}");
        // The daemon is stopped, so nothing writes any more: the brokers answer at once again for the reads below (through the
        // 300 ms baseline they took most of a 30-minute run's hour).
        broker.SetRtt(0);

        long compared = 0, lost = 0, duplicated = 0, versions = 0, reappended = 0;
        foreach (var r in restores)
        {
            var cancelled = r.EndsAtCancellation is not null;
            var refused = r.RefusedAfterReappend is not null;
            versions += NemesisChecks.AssertStatusHistoryMovesForward(_remote, r.StatusPath, endsCompleted: !cancelled && !refused, schedule);
            var got = RestoreKit.ReadTopic(broker.BootstrapServers, r.Target, Partitions);
            if (cancelled)
            {
                var ends = RestoreKit.EndOffsets(broker.BootstrapServers, r.Target, Partitions);
                Assert.True(ends.SequenceEqual(r.EndsAtCancellation!),
                    $"{r}: records landed after its cancellation was committed: ends [{string.Join(',', r.EndsAtCancellation!)}] then [{string.Join(',', ends)}]\n{schedule}");
            }
            for (var p = 0; p < Partitions; p++)
            {
                var expected = r.Records[(NemesisRestore.SourceTopic, p)].Select(x => Encoding.UTF8.GetString(x.Key!)).ToList();
                var keys = got.Where(x => x.Partition == p).Select(x => Encoding.UTF8.GetString(x.Key!)).ToList();
                // The mock re-appends a retried batch after an outage (see RefusedAfterReappend); a cancelled restore stopped before
                // its verification could see that, so after an outage its repeats are counted apart too.
                if (refused || (cancelled && keys.Count != keys.Distinct().Count() && faults.OutageSince(r.CommittedAt!.Value)))
                {
                    // The mock's re-appended batches aside (each record's first copy), the target is the backup in order, or a prefix of it.
                    var firsts = keys.Distinct().ToList();
                    Assert.True(firsts.SequenceEqual(expected.Take(firsts.Count)), $"{r}: partition {p}, its repeats aside, is not the backup in order\n{schedule}");
                    reappended += keys.Count - firsts.Count;
                    continue;
                }
                duplicated += keys.Count - keys.Distinct().Count();
                if (cancelled)
                {
                    // What a cancelled restore wrote is a prefix of its backup, each record once.
                    Assert.True(keys.SequenceEqual(expected.Take(keys.Count)), $"{r}: partition {p} is not a prefix of the backup\n{schedule}");
                    continue;
                }
                lost += expected.Except(keys).Count();
                compared += keys.Count;
                Assert.True(keys.SequenceEqual(expected), $"{r}: partition {p} holds {keys.Count} records, not the backup's {expected.Count} in order (lost {expected.Except(keys).Count()}, duplicated {keys.Count - keys.Distinct().Count()})\n{schedule}");
            }
        }
        var updates = NemesisChecks.AssertOnlyTheHumanForcePushed(_remote, human.ForcePushes, schedule);

        // No secret anywhere: the daemons' output, the whole Git history and the HTTP surface.
        var places = new Dictionary<string, string>
        {
            ["daemon output"] = daemon.Output,
            ["git log -p --all"] = _remote.RemoteGit("log", "-p", "--all"),
            ["/metrics"] = metrics,
        };
        foreach (var (where, text) in places)
            Assert.False(text.Contains(S3rverFixture.SecretKey, StringComparison.Ordinal), $"the S3 secret is in the {where}\n{schedule}");

        var completed = restores.Count(r => r.EndsAtCancellation is null && r.RefusedAfterReappend is null);
        log.WriteLine($"faults injected: {string.Join(", ", faults.Injected.Select(f => $"{f.Key} {f.Value}"))}; human force pushes: {human.ForcePushes.Count}");
        log.WriteLine($"restores completed: {completed}, cancelled: {restores.Count(r => r.EndsAtCancellation is not null)}, " +
            $"refused after the mock re-appended a batch: {restores.Count(r => r.RefusedAfterReappend is not null)} ({reappended} records); " +
            $"records compared: {compared}, lost: {lost}, duplicated: {duplicated}; " +
            $"status versions checked: {versions}; remote updates checked: {updates}; daemon starts: {daemon.Starts}");
        // What the daemon met of the full state disk: its state store refusing a write, and anything else out of room (Git's clone).
        var output = daemon.Output.Split('\n');
        log.WriteLine($"daemon log lines: the state disk is full {output.Count(l => l.Contains("the state disk is full", StringComparison.Ordinal))}, " +
            $"other 'No space left on device' {output.Count(l => l.Contains("No space left on device", StringComparison.Ordinal) && !l.Contains("the state disk is full", StringComparison.Ordinal))}");
        // Which messages those were, most frequent first (one short run logged 2,339 of them; the next, 2): a flood names its source here.
        foreach (var group in output.Where(l => l.Contains("No space left on device", StringComparison.Ordinal) && !l.Contains("the state disk is full", StringComparison.Ordinal))
            .GroupBy(l => l.Length > 9 ? l[9..Math.Min(l.Length, 120)] : l).OrderByDescending(g => g.Count()).Take(3))
            log.WriteLine($"  {group.Count()} x {group.Key}");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicated);
        Assert.True(faults.Injected.Values.Sum() >= 5, $"only {faults.Injected.Values.Sum()} faults were injected\n{schedule}");
    }

    private static async Task<string> GetAsync(int port, string path)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri(path, UriKind.Relative));
    }

    /// <summary>The workload's backups (every third in s3rver, the rest in folders) and their empty target topics; every fifth is deleted while it runs.</summary>
    private async Task<List<NemesisRestore>> PrepareAsync(MockKafkaBroker broker, S3rverFixture s3, string secrets, int count, Random random)
    {
        var bucket = await s3.CreateBucketAsync("nemesis");
        var restores = new List<NemesisRestore>();
        for (var i = 0; i < count; i++)
        {
            var records = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
            var toCancel = i % 5 == 3;
            // A restore to cancel is two and a half times as long (still under the mock's ~5 MiB per partition), so the human catches it part-way.
            var perPartition = toCancel ? PerPartition * 5 / 2 : PerPartition;
            for (var p = 0; p < Partitions; p++)
            {
                var filler = new byte[60];
                random.NextBytes(filler);
                var pad = Convert.ToBase64String(filler);
                records[(NemesisRestore.SourceTopic, p)] = [.. Enumerable.Range(0, perPartition)
                    .Select(j => RestoreKit.Record(j * 2L, 1_700_000_000_000 + j, $"r{i}-p{p}-{j}", $"v{j}-{pad}"))];
            }
            var restore = new NemesisRestore(i, broker.CreateUniqueTopic($"nemesis-{i}", Partitions), fromS3: i % 3 == 2, records) { ToCancel = toCancel };
            IBackupStorage storage = restore.FromS3
                ? BackupStorageFactory.Create(new StorageSpec(StorageType.S3, new S3StorageSpec(bucket, "us-east-1", null, s3.Endpoint, true,
                    new S3CredentialsSecretRef("s3-credentials", "accessKey", "secretKey")), null), new SecretStore(secrets))
                : new FilesystemBackupStorage(_dir.Combine("backups"));
            await RestoreKit.WriteBackupAsync(storage, restore.BackupId, records, new Dictionary<string, int> { [NemesisRestore.SourceTopic] = Partitions },
                segmentRecords: 1500);
            restores.Add(restore);
        }
        _bucket = bucket;
        return restores;
    }

    private Func<NemesisRestore, string> ToYaml(MockKafkaBroker broker, S3rverFixture s3) => r => RestoreYaml.Restore(r.Name, NemesisRestore.Namespace, r.BackupId,
        NemesisRestore.SourceTopic, r.Target, broker.BootstrapServers,
        r.FromS3 ? RestoreYaml.S3Storage(_bucket, s3.Endpoint) : RestoreYaml.FilesystemStorage(_dir.Combine("backups")), backoffLimit: 40);

    private static string Tail(string text) => text.Length > 15_000 ? text[^15_000..] : text;

    /// <summary>
    /// Distributed mode on the run's own mock cluster: a coordination group, its topic, the shared state topic and a units topic of 6
    /// slots, every restore spread. The session timeout (10 s) is above the longest pause the nemesis draws (7 s): a paused member that
    /// wakes after its slots moved is the unfenced zombie case of issue 16, measured by its own tests (docs/distributed.md), not here.
    /// </summary>
    private static Dictionary<string, string?> Coordination(MockKafkaBroker broker)
    {
        broker.CreateTopic("nemesis-coordination", 1);
        broker.CreateTopic("nemesis-restore-state", 1);
        broker.CreateTopic("nemesis-units", 6);
        return new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_CoordinationBootstrapServers"] = broker.BootstrapServers,
            ["KAFKA_RESTORED_CoordinationGroupId"] = "nemesis",
            ["KAFKA_RESTORED_CoordinationTopic"] = "nemesis-coordination",
            ["KAFKA_RESTORED_CoordinationStateTopic"] = "nemesis-restore-state",
            ["KAFKA_RESTORED_CoordinationUnitsTopic"] = "nemesis-units",
            ["KAFKA_RESTORED_CoordinationSessionTimeout"] = "00:00:10",
            ["KAFKA_RESTORED_CoordinationSpreadMinRecords"] = "0",
        };
    }

    /// <summary>Stops the daemons, then unmounts their disks (a mount point in use would stay).</summary>
    private sealed class Cleanup(List<NemesisDaemon> daemons, List<SmallDisk>? disks) : IDisposable
    {
        public void Dispose()
        {
            foreach (var d in daemons) d.Dispose();
            foreach (var disk in disks ?? []) disk.Dispose();
        }
    }
}
