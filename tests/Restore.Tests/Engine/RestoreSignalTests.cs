using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.TestSupport;
using Xunit.Abstractions;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// <c>kafka-restored restore -f</c> as a child process stopped by SIGINT or SIGTERM: it stops
/// producing, checkpoints, prints the status and the command that resumes, and exits 130; running
/// that command completes the restore without writing any record twice.
/// </summary>
public sealed class RestoreSignalTests(KafkaFixture kafka, ITestOutputHelper log) : IClassFixture<KafkaFixture>, IDisposable
{
    private const int Partitions = 12;
    private const int PerPartition = 8_000;
    private const int Total = Partitions * PerPartition;
    private const int Interrupted = 130;

    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_mid_restore_checkpoints_prints_the_resume_command_and_exits_130_and_that_command_finishes_exactly_once(string signal)
    {
        var (topic, file, input) = await BackupAsync("sig-" + signal.ToLowerInvariant());
        using var watcher = Watcher();

        using var process = Start(Args(file));
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(RunUntilLanded(process, () => Landed(watcher, topic), Total / 5), "the restore ended before a fifth of the records landed");
        Signal(process, signal);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), "the restore did not stop within a minute of SIG" + signal);
        process.WaitForExit();
        var (exit, output, error) = (process.ExitCode, await stdout, await stderr);
        log.WriteLine(error);

        var landed = Landed(watcher, topic);
        Assert.True(exit == Interrupted, $"exit {exit}\n{output}\n{error}");
        // The interrupted run stopped part-way (the resume below has records to skip, which is what could duplicate them).
        Assert.InRange(landed, 1, Total - 1);
        Assert.Contains("interrupted: stopping: flushing what is in flight and saving the checkpoint", error, StringComparison.Ordinal);
        Assert.Contains($" of {Total:N0} records restored, checkpoint saved in ", error, StringComparison.Ordinal);
        Assert.Contains("phase: Failed", output, StringComparison.Ordinal);
        Assert.Contains("reason: Cancelled", output, StringComparison.Ordinal);
        var resume = error.Split('\n').Single(l => l.StartsWith("To resume, run: ", StringComparison.Ordinal))["To resume, run: ".Length..].Trim();
        Assert.Equal($"kafka-restored restore -f {file} --state-dir {_s.Path("state")}", resume);
        Assert.Single(Directory.EnumerateFiles(_s.Path("state"), "checkpoints.json", SearchOption.AllDirectories));

        // The printed command, run as printed (the installed name is the built binary here), resumes and completes.
        var again = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), .. resume.Split(' ')[1..]], timeout: TimeSpan.FromMinutes(3));
        Assert.True(again.ExitCode == 0, again.StdOut + again.StdErr);
        Assert.Contains($"restoredRecords: {Total}", again.StdOut, StringComparison.Ordinal);
        AssertEveryRecordOnce(topic, input);
    }

    [Fact]
    public async Task A_second_ctrl_c_ends_the_process_at_once_without_the_clean_stop()
    {
        var (topic, file, _) = await BackupAsync("sig-twice");
        using var watcher = Watcher();

        using var process = Start(Args(file));
        var error = new System.Text.StringBuilder();
        var noticed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (error) error.AppendLine(e.Data);
            if (e.Data.Contains("interrupted: stopping", StringComparison.Ordinal)) noticed.TrySetResult();
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Assert.True(RunUntilLanded(process, () => Landed(watcher, topic), Total / 5), "the restore ended before a fifth of the records landed");
        Signal(process, "INT");
        // The second Ctrl+C once the first was taken (two signals pending at once are one to the kernel).
        await noticed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Signal(process, "INT");
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "a second SIGINT did not end the restore");
        process.WaitForExit();
        var output = await stdout;

        // Death by SIGINT (reported as 128 + 2) before any status or resume line could be printed.
        Assert.Equal(Interrupted, process.ExitCode);
        lock (error) Assert.DoesNotContain("To resume, run:", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("phase:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task On_a_terminal_ctrl_c_erases_the_progress_bar_before_saying_it_stops()
    {
        var (topic, file, _) = await BackupAsync("sig-tty");
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.Broker.BootstrapServers }).SetLogHandler((_, _) => { }).Build();
        var (program, arguments) = ProcessRunner.OnTerminal("dotnet", Args(file));
        var seen = new System.Text.StringBuilder();
        string Screen()
        {
            lock (seen) return seen.ToString();
        }

        // Slowed brokers hold the restore part-way (stopping it with SIGSTOP would hide the bar's redraws): under its
        // 8 MiB budget at most 10,000 records are unacknowledged, so a round trip of a second lands at most that many.
        kafka.Broker.SetRtt(1000);
        try
        {
            // A pseudo-terminal gives the restore a terminal; what its reader copies out is what a person would see.
            using var terminal = Start(arguments, program);
            var reading = Task.Run(async () =>
            {
                var buffer = new char[4096];
                int n;
                while ((n = await terminal.StandardOutput.ReadAsync(buffer)) > 0)
                    lock (seen) seen.Append(buffer, 0, n);
            });
            var restore = await FindRestoreAsync(terminal.Id);
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
            while (!terminal.HasExited && DateTime.UtcNow < deadline && await RestoreKit.LandedAsync(admin, topic, Partitions) == 0)
                await Task.Delay(10);
            Assert.True(SpinUntil(() => Screen().Contains("\r[", StringComparison.Ordinal)), "no progress bar drawn");
            Assert.False(terminal.HasExited, "the restore ended before it could be interrupted: " + Screen());
            Signal(restore, "INT");
            Assert.True(terminal.WaitForExit(TimeSpan.FromMinutes(1)), "the restore did not stop within a minute of SIGINT");
            await reading;
            Assert.True(terminal.ExitCode == Interrupted, $"exit {terminal.ExitCode}, expected {Interrupted}; the screen's end:\n{Tail(Screen())}");
        }
        finally
        {
            kafka.Broker.SetRtt(0);
        }

        // The bar is erased (carriage return, erase line) and never drawn again after the notice. The runtime switches the
        // terminal's keypad mode on its own (seen at start and after the signal); those mode sequences, on or off, draw
        // nothing and are left out.
        var screen = Screen().Replace("\u001b[?1h\u001b=", "", StringComparison.Ordinal).Replace("\u001b[?1l\u001b>", "", StringComparison.Ordinal);
        var notice = screen.IndexOf("\r\u001b[Kkafka-restored restore: interrupted: stopping", StringComparison.Ordinal);
        Assert.True(notice > 0, "no erase-then-notice on the screen; its end:\n" + Tail(screen));
        Assert.DoesNotContain("\r[", screen[notice..], StringComparison.Ordinal);
        Assert.Contains("To resume, run: kafka-restored restore -f ", screen[notice..], StringComparison.Ordinal);
    }

    /// <summary>The last lines of a screen, with escapes shown, for a failure message that is read from its start.</summary>
    private static string Tail(string screen) =>
        (screen.Length > 3000 ? "..." + screen[^3000..] : screen).Replace("\u001b", "\\e", StringComparison.Ordinal).Replace("\r", "\\r\n", StringComparison.Ordinal);

    /// <summary>The restore process under the terminal's reader: the descendant running kafka-restored.</summary>
    private static async Task<Process> FindRestoreAsync(int readerPid)
    {
        for (var i = 0; i < 200; i++)
        {
            var pending = new Queue<int>([readerPid]);
            while (pending.TryDequeue(out var pid))
            {
                var children = $"/proc/{pid}/task/{pid}/children";
                if (!File.Exists(children)) continue;
                foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
                {
                    // The program itself (dotnet running the dll), not a process that only names the dll among its arguments: under
                    // script(1) that was the shell running the command, which a signal killed (CI's SHELL was dash, which does not exec).
                    var argv = File.Exists($"/proc/{child}/cmdline") ? (await File.ReadAllTextAsync($"/proc/{child}/cmdline")).Split('\0') : [];
                    if (argv.Length > 1 && Path.GetFileName(argv[0]) == "dotnet" && argv[1].EndsWith("kafka-restored.dll", StringComparison.Ordinal))
                        return Process.GetProcessById(child);
                    pending.Enqueue(child);
                }
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("no kafka-restored process under the terminal's reader");
    }

    private static bool SpinUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (DateTime.UtcNow < deadline)
        {
            if (condition()) return true;
            Thread.Sleep(10);
        }
        return false;
    }

    private async Task<(string Topic, string File, Dictionary<(string, int), IReadOnlyList<BackupRecord>> Input)> BackupAsync(string name)
    {
        var topic = kafka.Broker.CreateUniqueTopic(name, Partitions);
        var padding = new string('.', 200);
        var input = new Dictionary<(string, int), IReadOnlyList<BackupRecord>>();
        for (var p = 0; p < Partitions; p++)
        {
            var partition = p;
            input[(topic, p)] = [.. Enumerable.Range(0, PerPartition).Select(i =>
                RestoreKit.Record(i, 1_000_000 + i, $"k{partition}-{i}", $"value-{partition}-{i}{padding}"))];
        }
        await _s.WriteBackupAsync(input, new Dictionary<string, int> { [topic] = Partitions }, segmentRecords: 1000);
        var brokers = string.Join(", ", kafka.Broker.BootstrapServers.Split(',').Select(b => $"\"{b}\""));
        var path = _s.Path(name + ".yaml");
        // An 8 MiB budget on 2 workers keeps the restore going for a while on any machine.
        File.WriteAllText(path, $$"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {name: {{name}}, namespace: ops}
            spec:
              backupId: {{_s.BackupId}}
              targetCluster:
                bootstrapServers: [{{brokers}}]
              storage:
                storageType: filesystem
                filesystem: {path: "{{_s.Path("backups")}}"}
              resources:
                limits: {cpu: "2", memory: 8Mi}
            """);
        return (topic, path, input);
    }

    private string[] Args(string file) => [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "restore", "-f", file, "--state-dir", _s.Path("state")];

    private static Process Start(string[] args, string program = "dotnet")
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    private IConsumer<byte[], byte[]> Watcher() => new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = kafka.Broker.BootstrapServers,
        GroupId = "watch-" + Guid.NewGuid().ToString("N"),
    }).SetLogHandler((_, _) => { }).Build();

    private static long Landed(IConsumer<byte[], byte[]> watcher, string topic) => Enumerable.Range(0, Partitions)
        .Sum(p => watcher.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);

    /// <summary>
    /// Runs the restore in steps until <paramref name="threshold"/> records landed and leaves it stopped there; false
    /// when it exited first. Counted while it is stopped: on a fast machine a whole restore once ran between two counts.
    /// </summary>
    private static bool RunUntilLanded(Process process, Func<long> landed, long threshold) =>
        SteppedProcess.RunUntil(process.Id, () => process.HasExited, threshold, landed, () => false, TimeSpan.FromMinutes(2));

    /// <summary>Sends SIG<paramref name="name"/> to the (stopped) restore and lets it run to take it.</summary>
    private static void Signal(Process process, string name)
    {
        ProcessRunner.Run("kill", ["-" + name, process.Id.ToString(CultureInfo.InvariantCulture)]).EnsureSuccess("kill");
        SteppedProcess.Continue(process.Id);
    }

    /// <summary>kcat (another client) finds every backup record exactly once per partition, in order.</summary>
    private void AssertEveryRecordOnce(string topic, Dictionary<(string, int), IReadOnlyList<BackupRecord>> input)
    {
        var seen = Kcat.ReadTopic(kafka.Broker.BootstrapServers, topic);
        Assert.Equal(Total, seen.Count);
        for (var p = 0; p < Partitions; p++)
        {
            var got = seen.Where(r => r.Partition == p).Select(r => r.Key).ToList();
            Assert.Equal(input[(topic, p)].Select(r => System.Text.Encoding.UTF8.GetString(r.Key!)), got);
        }
    }
}
