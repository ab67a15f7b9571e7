using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Benchmarks;

/// <summary>One restore through daemons in distributed mode: how long it took and, with a failover, when each step came.</summary>
internal sealed record DistributedRun(int Members, TimeSpan CommitToCompleted, TimeSpan? KillToLeader, TimeSpan? KillToNextRecord, long LandedAtKill, long Landed);

/// <summary>
/// Section "distributed" (issue #16): the same restore from a folder through one <c>kafka-restored run</c> in distributed
/// mode and through three, and the failover: three daemons, the leader SIGKILLed once a quarter of the records landed,
/// timed to the next leader, to the next record written and to Completed. The leader runs all the work (units are not
/// spread over members yet), so three daemons restore no faster than one: the section says how far apart they are.
/// </summary>
internal static class DistributedFailover
{
    private const string SessionTimeout = "00:00:06";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    public static async Task<IReadOnlyList<DistributedRun>> MeasureAsync(Dataset dataset, BenchStorage folder, string workDir)
    {
        using var broker = MockKafkaBroker.Start(3);
        using var remote = new GitRemote();
        var runs = new List<DistributedRun>
        {
            await RunAsync(broker, remote, dataset, folder, Path.Combine(workDir, "one"), 1, kill: false),
            await RunAsync(broker, remote, dataset, folder, Path.Combine(workDir, "three"), 3, kill: false),
            await RunAsync(broker, remote, dataset, folder, Path.Combine(workDir, "failover"), 3, kill: true),
        };
        return runs;
    }

    public static string Render(IReadOnlyList<DistributedRun> runs)
    {
        var sb = new StringBuilder();
        sb.AppendLine();
        sb.AppendLine("## Distributed mode: one daemon against three, and a failover (issue #16)");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"`kafka-restored run` processes in distributed mode (session timeout {SessionTimeout}, poll interval 1 s) on one config repository and the hosted mock cluster; the restore from a folder is committed once a leader is known and timed from the commit to its `Completed` status in Git. In the failover run the leader is SIGKILLed once a quarter of the records landed. The restore is spread over the members in 12 units (the slots of a units topic); all daemons share this machine's cores, so three daemons can be no faster than one here.");
        sb.AppendLine();
        sb.AppendLine("| run | daemons | commit to Completed s | kill to next leader s | kill to next record written s | landed at the kill | landed in all |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {(r.KillToLeader is null ? "restore" : "leader SIGKILLed")} | {r.Members} | {r.CommitToCompleted.TotalSeconds:F1} | {Seconds(r.KillToLeader)} | {Seconds(r.KillToNextRecord)} | {(r.KillToLeader is null ? "–" : r.LandedAtKill.ToString("N0", CultureInfo.InvariantCulture))} | {r.Landed:N0} |");
        }
        return sb.ToString();
    }

    private static string Seconds(TimeSpan? t) => t is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) : "–";

    private static async Task<DistributedRun> RunAsync(MockKafkaBroker broker, GitRemote remote, Dataset dataset, BenchStorage folder, string dir, int members, bool kill)
    {
        Directory.CreateDirectory(dir);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var name = $"bench-{members}-{suffix}";
        broker.CreateTopic("coordination-" + suffix, 1);
        broker.CreateTopic("state-" + suffix, 1);
        broker.CreateTopic("units-" + suffix, 12);
        var target = broker.CreateUniqueTopic("bench-dist", dataset.Partitions);
        var daemons = Enumerable.Range(0, members).Select(i => Start(broker, remote, dir, suffix, $"node-{i}")).ToList();
        try
        {
            var leader = await LeaderAsync(daemons, null);
            var yaml = RestoreContender.RestoreYaml(broker.BootstrapServers, target, folder.Spec).Replace("name: bench-restore", "name: " + name, StringComparison.Ordinal);
            remote.HumanCommit("restore " + name, new Dictionary<string, string?> { [$"restores/{name}.yaml"] = yaml });
            var clock = Stopwatch.StartNew();
            TimeSpan? toLeader = null, toRecord = null;
            long atKill = 0;
            if (kill)
            {
                await UntilAsync("a quarter landed", () => Task.FromResult(Watermarks.Total(broker.BootstrapServers, target, dataset.Partitions) >= dataset.Records / 4), daemons);
                leader.Process.Kill();
                var killed = Stopwatch.StartNew();
                // What the dead leader had sent lands within moments; the next record after that is the next leader's.
                await Task.Delay(1000);
                atKill = Watermarks.Total(broker.BootstrapServers, target, dataset.Partitions);
                var rest = daemons.Where(d => d != leader).ToList();
                await LeaderAsync(rest, null);
                toLeader = killed.Elapsed;
                await UntilAsync("the next record", () => Task.FromResult(Watermarks.Total(broker.BootstrapServers, target, dataset.Partitions) > atKill), rest);
                toRecord = killed.Elapsed;
            }
            await UntilAsync("Completed", () => Task.FromResult(Phase(remote, name) == "Completed"), daemons);
            var landed = Watermarks.Total(broker.BootstrapServers, target, dataset.Partitions);
            if (landed != dataset.Records)
                throw new InvalidOperationException($"{name}: {landed:N0} records in the target, {dataset.Records:N0} expected");
            Console.WriteLine($"distributed: {members} daemons{(kill ? ", leader killed" : "")}: Completed {clock.Elapsed.TotalSeconds:F1} s after the commit");
            return new DistributedRun(members, clock.Elapsed, toLeader, toRecord, atKill, landed);
        }
        finally
        {
            foreach (var d in daemons) d.Dispose();
        }
    }

    private static string? Phase(GitRemote remote, string name)
    {
        var r = ProcessRunner.Run("git", ["-C", remote.BarePath, "show", $"{remote.Branch}:status/kafkarestore/default/{name}.yaml"]);
        return r.ExitCode != 0 ? null : r.StdOut.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("phase: ", StringComparison.Ordinal))?["phase: ".Length..];
    }

    private static Member Start(MockKafkaBroker broker, GitRemote remote, string dir, string suffix, string id)
    {
        var port = S3rverFixture.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var daemon = Environment.GetEnvironmentVariable("KR_BENCH_DAEMON") ?? RepoPaths.ProjectOutput("src/Daemon", "kafka-restored");
        foreach (var a in new[] { daemon, "run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", Path.Combine(dir, id), "--http-listen", $"http://127.0.0.1:{port}" })
            psi.ArgumentList.Add(a);
        var settings = new Dictionary<string, string?>(TestPolicy.AllowAllEnvironment)
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_CoordinationBootstrapServers"] = broker.BootstrapServers,
            ["KAFKA_RESTORED_CoordinationGroupId"] = "bench-" + suffix,
            ["KAFKA_RESTORED_CoordinationTopic"] = "coordination-" + suffix,
            ["KAFKA_RESTORED_CoordinationStateTopic"] = "state-" + suffix,
            ["KAFKA_RESTORED_CoordinationUnitsTopic"] = "units-" + suffix,
            // The section measures spreading itself: its 300,000 records are below the default threshold.
            ["KAFKA_RESTORED_CoordinationSpreadMinRecords"] = "0",
            ["KAFKA_RESTORED_CoordinationSessionTimeout"] = SessionTimeout,
            ["KAFKA_RESTORED_InstanceId"] = id,
        };
        foreach (var (k, v) in settings) psi.Environment[k] = v;
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start kafka-restored run");
        return new Member(id, process, port);
    }

    private static async Task<Member> LeaderAsync(IReadOnlyList<Member> daemons, Member? not)
    {
        Member? leader = null;
        await UntilAsync("a leader", async () =>
        {
            foreach (var d in daemons.Where(d => d != not))
            {
                if (await d.RoleAsync() == "leader")
                {
                    leader = d;
                    return true;
                }
            }
            return false;
        }, daemons);
        return leader!;
    }

    private static async Task UntilAsync(string what, Func<Task<bool>> condition, IReadOnlyList<Member> daemons)
    {
        var guard = Stopwatch.StartNew();
        while (!await condition())
        {
            if (guard.Elapsed > Patience || daemons.All(d => d.Process.HasExited))
                throw new InvalidOperationException($"distributed: no {what} within {Patience}:\n" + string.Join("\n", daemons.Select(d => $"--- {d.Id}\n{d.Output}")));
            await Task.Delay(100);
        }
    }

    /// <summary>A daemon process of the section, with its output kept for a failure's message.</summary>
    private sealed class Member : IDisposable
    {
        private readonly HttpClient _http;
        private readonly StringBuilder _output = new();

        public Member(string id, Process process, int port)
        {
            Id = id;
            Process = process;
            _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Id { get; }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output) return _output.ToString();
            }
        }

        public async Task<string?> RoleAsync()
        {
            if (Process.HasExited) return null;
            try
            {
                // The body says the role whether the daemon is healthy (200) or not (503).
                using var response = await _http.GetAsync("/healthz");
                var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                return health.TryGetProperty("role", out var role) ? role.GetString() : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                return null;
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
            Process.Dispose();
            _http.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null) return;
            lock (_output) _output.AppendLine(line);
        }
    }
}
