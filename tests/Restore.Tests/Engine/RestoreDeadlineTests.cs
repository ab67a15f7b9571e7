using System.Net;
using System.Net.Sockets;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Restore.Tests.Engine;

/// <summary>
/// Issue #15 item 4 through <c>kafka-restored restore -f</c> as a child process: a FIFO in a folder
/// backup (manifest or segment) ends the run at once with a reason naming it, where it used to hang
/// for ever; and job.activeDeadlineSeconds stops a run that waits on something else.
/// </summary>
public sealed class RestoreDeadlineTests(KafkaFixture kafka) : IClassFixture<KafkaFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);
    private readonly EngineScenario _s = new(kafka.Broker);

    public void Dispose() => _s.Dispose();

    private string WriteResource(string name, string bootstrap, int deadlineSeconds)
    {
        var brokers = string.Join(", ", bootstrap.Split(',').Select(b => $"\"{b}\""));
        var path = _s.Path(name + ".yaml");
        File.WriteAllText(path, $"""
            apiVersion: kafka.oso.sh/v1alpha1
            kind: KafkaRestore
            metadata: {"{"}name: {name}, namespace: ops{"}"}
            spec:
              backupId: {_s.BackupId}
              targetCluster:
                bootstrapServers: [{brokers}]
              storage:
                storageType: filesystem
                filesystem: {"{"}path: "{_s.Path("backups")}"{"}"}
              job:
                activeDeadlineSeconds: {deadlineSeconds}
            """);
        return path;
    }

    private ProcessResult Run(string file) => ProcessRunner.Run("dotnet",
        [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "restore", "-f", file, "--state-dir", _s.Path("state")], timeout: Bound);

    private Task WriteBackupAsync(string topic) => _s.WriteBackupAsync(new Dictionary<(string, int), IReadOnlyList<BackupRecord>>
    {
        [(topic, 0)] = [.. Enumerable.Range(0, 300).Select(i => RestoreKit.Record(i, 1000 + i, "k" + i, "v" + i))],
    }, new Dictionary<string, int> { [topic] = 1 }, segmentRecords: 100);

    private void ReplaceWithFifo(string path)
    {
        File.Delete(path);
        ProcessRunner.Run("mkfifo", [path]).EnsureSuccess("mkfifo");
    }

    [Fact]
    public async Task A_fifo_manifest_with_a_five_second_deadline_fails_at_once_naming_it_instead_of_hanging()
    {
        var topic = kafka.Broker.CreateUniqueTopic("fifo-manifest", 1);
        await WriteBackupAsync(topic);
        var manifest = _s.Path("backups", _s.BackupId, "manifest.json");
        ReplaceWithFifo(manifest);

        var result = Run(WriteResource("fifo-manifest", kafka.Broker.BootstrapServers, 5));

        Assert.True(result.ExitCode == 1 && result.StdOut.Length > 0, result.StdOut + result.StdErr);
        Assert.Contains("phase: Failed", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: InvalidBackupManifest", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"backup object {manifest} is a FIFO (named pipe), not a regular file", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1));
    }

    [Fact]
    public async Task A_fifo_segment_fails_the_restore_naming_it_after_the_segments_before_it()
    {
        var topic = kafka.Broker.CreateUniqueTopic("fifo-segment", 1);
        await WriteBackupAsync(topic);
        var segments = Directory.GetFiles(_s.Path("backups", _s.BackupId), "segment-*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, segments.Count);
        ReplaceWithFifo(segments[2]);

        // A deadline far beyond the run: the FIFO must be refused by name, not outlasted (5 s fired first on a loaded machine).
        var result = Run(WriteResource("fifo-segment", kafka.Broker.BootstrapServers, 90));

        Assert.True(result.ExitCode == 1, result.StdOut + result.StdErr);
        Assert.Contains("reason: StorageUnavailable", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"backup object {segments[2]} is a FIFO (named pipe)", result.StdOut, StringComparison.Ordinal);
        // At most the two regular segments before it were restored (the read-ahead may meet the FIFO first).
        Assert.InRange(RestoreKit.ReadTopic(kafka.Broker.BootstrapServers, topic, 1).Count, 0, 200);
    }

    [Fact]
    public async Task A_run_waiting_on_a_silent_broker_stops_at_its_deadline_with_DeadlineExceeded()
    {
        var topic = kafka.Broker.CreateUniqueTopic("deadline", 1);
        await WriteBackupAsync(topic);
        // Accepts connections and never answers: the preflight would wait 15 s (ConnectTimeout) for metadata.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        using var stop = new CancellationTokenSource();
        var acceptLoop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    accepted.Add(await silent.AcceptSocketAsync(stop.Token));
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });

        var result = Run(WriteResource("deadline", $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}", 2));
        await stop.CancelAsync();
        await acceptLoop;
        foreach (var s in accepted) s.Dispose();

        Assert.True(result.ExitCode == 1, result.StdOut + result.StdErr);
        Assert.Contains("reason: DeadlineExceeded", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("The run took longer than job.activeDeadlineSeconds=2 and was stopped", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("kafka-restored restore: stopped at job.activeDeadlineSeconds=2", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("To resume, run: kafka-restored restore -f ", result.StdErr, StringComparison.Ordinal);
    }
}
