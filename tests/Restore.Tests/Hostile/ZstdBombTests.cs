using System.Diagnostics;
using System.Globalization;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Hostile;

/// <summary>
/// The zstd bomb of tests/fixtures/hostile/backups (a 39 KB segment of 6 records of 200 MiB of
/// zeros) through <c>kafka-restored restore -f</c> as a child process: it fails with RecordTooLarge
/// and its peak RSS (VmHWM) stays under the memory budget plus <see cref="RuntimeAllowance"/>.
/// Before records were checked against the budget it reached 2.4 GB.
/// </summary>
public sealed class ZstdBombTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    /// <summary>
    /// What the process may hold besides the budget: the .NET runtime, librdkafka and the loaded
    /// code. A restore -f that fails at once peaks at about 90 MiB on the CI machine (measured
    /// 2026-12-06); docs/restore-engine.md states the same constant.
    /// </summary>
    public const long RuntimeAllowance = 128L << 20;

    private readonly TempDir _dir = new("kr-bomb");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("zstd-bomb", null)]
    [InlineData("zstd-bomb", "64Mi")]
    [InlineData("zstd-bomb-small-records", null)]
    [InlineData("zstd-bomb-small-records", "64Mi")]
    public void A_zstd_bomb_fails_with_RecordTooLarge_within_the_memory_budget(string fixture, string? memory)
    {
        var target = kafka.Broker.CreateUniqueTopic("bomb", 1);
        var budget = memory is null ? 256L << 20 : 64L << 20;
        var file = _dir.Combine("bomb.yaml");
        File.WriteAllText(file, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: bomb, namespace: ops{"}"}
            spec:
              backupId: hostile
              targetCluster:
                bootstrapServers: [{string.Join(", ", kafka.Broker.BootstrapServers.Split(','))}]
              storage:
                storageType: filesystem
                filesystem: {"{"}path: "{Path.Combine(HostileBackupFixtureTests.Folder, fixture)}"{"}"}
              topicMapping: {"{"}bomb: {target}{"}"}
            {(memory is null ? "" : $"  resources: {{limits: {{memory: {memory}}}}}")}
            """);

        var (exit, stdout, stderr, peak) = RunMeasured(file);
        log.WriteLine($"memory budget {budget >> 20} MiB: exit {exit}, peak RSS {peak >> 20} MiB\n{stdout}\n{stderr}");

        Assert.Equal(1, exit);
        Assert.Contains("reason: RecordTooLarge", stdout, StringComparison.Ordinal);
        Assert.True(peak > 0, "VmHWM was never read");
        Assert.True(peak < budget + RuntimeAllowance,
            $"peak RSS {peak >> 20} MiB exceeds the {budget >> 20} MiB budget plus {RuntimeAllowance >> 20} MiB");
        Assert.Equal([0L], RestoreKit.EndOffsets(kafka.Broker.BootstrapServers, target, 1));
    }

    /// <summary>Runs restore -f, sampling the child's VmHWM every 10 ms until it exits.</summary>
    private (int Exit, string StdOut, string StdErr, long PeakBytes) RunMeasured(string file)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "restore", "-f", file, "--state-dir", _dir.Combine("state") })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the restore");
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            var peak = 0L;
            var deadline = Stopwatch.StartNew();
            while (!p.HasExited)
            {
                peak = Math.Max(peak, ProcessMemory.HighWaterMark(p.Id));
                if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("restore -f did not finish in 2 minutes");
                Thread.Sleep(10);
            }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result, peak);
        }
        finally
        {
            if (!p.HasExited) p.Kill(entireProcessTree: true);
        }
    }
}
