using System.Net;
using System.Net.Sockets;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Http;

/// <summary>
/// `run` binds its HTTP listener before the loop starts: a port in use is a settings error (exit 2,
/// one line, no stack trace) and nothing is cloned, recorded or committed (issue #15, item 2).
/// </summary>
public sealed class BusyPortTests
{
    private const string InvalidRestore =
        "apiVersion: kafka.oso.sh/v1alpha1\nkind: KafkaRestore\nmetadata:\n  name: bad\n  namespace: kafka-backup\nspec:\n  backupId: b\n";

    [Fact]
    public async Task A_busy_http_port_stops_run_with_one_line_before_any_work_and_a_free_one_serves()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir("kr-busy-port");
        // A resource the first cycle would record and commit as Failed (InvalidSpec): the evidence that a cycle ran.
        remote.HumanCommit("add an invalid restore", new Dictionary<string, string?> { ["restores/bad.yaml"] = InvalidRestore });
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var busy = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var state = dir.Combine("state");
        var environment = TestPolicy.WithAllowAll(new Dictionary<string, string?> { ["KAFKA_RESTORED_PollInterval"] = "01:00:00" });

        int exit;
        string stderr, output;
        using (var daemon = new DaemonProcess(RunArgs(remote, state, busy), environment))
        {
            // It must end by itself: no signal is sent unless it is still running after a minute.
            for (var waited = 0; waited < 600 && !daemon.HasExited; waited++) await Task.Delay(100);
            var endedByItself = daemon.HasExited;
            exit = daemon.Stop(TimeSpan.FromSeconds(10));
            Assert.True(endedByItself, $"run kept going with its HTTP port in use\n{daemon.Output}");
            stderr = daemon.StdErr;
            output = daemon.Output;
        }

        Assert.True(exit == 2, $"exit {exit}\n{output}");
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines, l => l.Contains("cannot be bound", StringComparison.Ordinal));
        Assert.StartsWith($"kafka-restored run: HttpListen http://127.0.0.1:{busy} cannot be bound:", line, StringComparison.Ordinal);
        Assert.Contains("set HttpListen to off", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("reconcile loop started", output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(state, "repo")), "the daemon cloned the config repository before its listener was bound");
        Assert.DoesNotContain("status/", remote.RemoteGit("ls-tree", "-r", "--name-only", remote.Branch), StringComparison.Ordinal);

        // Positive control: on a free port the same daemon runs its first cycle and commits the status.
        squatter.Stop();
        using var served = new DaemonProcess(RunArgs(remote, state, DaemonProcess.FreePort()), environment);
        await served.WaitForAsync("the first status commit", () => Task.FromResult(
            remote.RemoteGit("ls-tree", "-r", "--name-only", remote.Branch).Contains("status/kafkarestore/kafka-backup/bad.yaml", StringComparison.Ordinal) ? "" : null),
            TimeSpan.FromSeconds(90));
        Assert.Equal(0, served.Stop(TimeSpan.FromSeconds(60)));
    }

    private static string[] RunArgs(GitRemote remote, string state, int port) =>
        ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", state, "--http-listen", $"http://127.0.0.1:{port}"];
}
