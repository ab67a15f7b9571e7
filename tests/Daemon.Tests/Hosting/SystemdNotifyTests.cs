using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KafkaRestored.Daemon.Tests.Http;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Hosting;

/// <summary>
/// Runs the real daemon with NOTIFY_SOCKET pointing at a datagram socket the test owns, as systemd
/// would for a Type=notify unit with WatchdogSec.
/// </summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task Run_reports_ready_then_watchdog_pings_then_stopping_on_sigterm()
    {
        using var remote = new GitRemote();
        using var dir = new TempDir();
        using var notify = new NotifySocket(dir.Combine("notify.sock"));
        using var daemon = StartDaemon(remote.BarePath, dir, notify.Path, new()
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_StallWindow"] = "00:00:05",
        });

        Assert.Equal("READY=1", await notify.NextAsync(TimeSpan.FromSeconds(60), m => m.StartsWith("READY", StringComparison.Ordinal)));
        // --http-listen off: the daemon listens on no TCP port at all.
        Assert.Empty(ListeningSockets.Of(daemon.Id));
        var pings = await notify.CountAsync("WATCHDOG=1", TimeSpan.FromSeconds(3));
        Assert.True(pings >= 3, $"expected watchdog pings every 250 ms while the loop cycles, got {pings}");

        ProcessRunner.Run("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).EnsureSuccess("kill");
        Assert.Equal("STOPPING=1", await notify.NextAsync(TimeSpan.FromSeconds(30), m => m.StartsWith("STOPPING", StringComparison.Ordinal)));
        Assert.True(daemon.WaitForExit(30_000), "daemon did not exit after SIGTERM");
        Assert.Equal(0, daemon.ExitCode);
    }

    [Fact]
    public async Task A_stalled_loop_stops_the_watchdog_pings()
    {
        // A "Git server" that accepts connections and never answers: the first fetch hangs.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    held.Add(await silent.AcceptTcpClientAsync());
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
                catch (SocketException)
                {
                    return;
                }
            }
        });
        using var dir = new TempDir();
        using var notify = new NotifySocket(dir.Combine("notify.sock"));
        var url = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/config.git";
        using var daemon = StartDaemon(url, dir, notify.Path, new()
        {
            ["KAFKA_RESTORED_FetchTimeout"] = "00:10:00",
            ["KAFKA_RESTORED_StallWindow"] = "00:00:03",
        });
        try
        {
            Assert.Equal("READY=1", await notify.NextAsync(TimeSpan.FromSeconds(60), m => m.StartsWith("READY", StringComparison.Ordinal)));
            // Within the window since start the daemon still pings (the watchdog works at all)...
            Assert.Equal("WATCHDOG=1", await notify.NextAsync(TimeSpan.FromSeconds(3), m => m.StartsWith("WATCHDOG", StringComparison.Ordinal)));
            // ...and once the window has passed with the first fetch still hanging, it falls silent. A ping
            // decided just before the window closed may be sent late on a loaded machine: wait for a quiet spell.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (await notify.CountAsync("WATCHDOG=1", TimeSpan.FromSeconds(1.5)) > 0)
                Assert.True(DateTime.UtcNow < deadline, "watchdog pings went on although the reconcile loop stalled");
            Assert.Equal(0, await notify.CountAsync("WATCHDOG=1", TimeSpan.FromSeconds(2)));
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            silent.Stop();
            foreach (var c in held) c.Dispose();
        }
    }

    [Fact]
    public void Bad_settings_exit_2_before_ready()
    {
        using var dir = new TempDir();
        using var notify = new NotifySocket(dir.Combine("notify.sock"));
        using var daemon = StartDaemon("", dir, notify.Path, new() { ["KAFKA_RESTORED_HttpListen"] = "ftp://nope" }, httpOff: false);
        Assert.True(daemon.WaitForExit(60_000));
        var stderr = daemon.StandardError.ReadToEnd();
        Assert.Equal(2, daemon.ExitCode);
        Assert.Contains("RepositoryUrl (--repo) is required", stderr, StringComparison.Ordinal);
        Assert.Contains("HttpListen must be an http://HOST:PORT URL", stderr, StringComparison.Ordinal);
        Assert.Empty(notify.Drain());
    }

    [Fact]
    public void A_log_level_of_None_and_a_missing_known_hosts_file_exit_2_naming_the_settings()
    {
        using var dir = new TempDir();
        using var notify = new NotifySocket(dir.Combine("notify.sock"));
        var known = dir.Combine("no-known-hosts");
        using var daemon = StartDaemon(dir.Combine("repo"), dir, notify.Path, new()
        {
            ["KAFKA_RESTORED_LogLevel"] = "None",
            ["KAFKA_RESTORED_GitSshKnownHostsFile"] = known,
        });
        Assert.True(daemon.WaitForExit(60_000));
        var stderr = daemon.StandardError.ReadToEnd();
        Assert.Equal(2, daemon.ExitCode);
        Assert.Contains("LogLevel must be one of Trace, Debug, Information, Warning, Error, Critical, got 'None'", stderr, StringComparison.Ordinal);
        Assert.Contains($"GitSshKnownHostsFile {known} does not exist", stderr, StringComparison.Ordinal);
        Assert.Empty(notify.Drain());
    }

    private static Process StartDaemon(string repo, TempDir dir, string notifySocket, Dictionary<string, string> env, bool httpOff = true)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), "run", "--state-dir", dir.Combine("state") })
            psi.ArgumentList.Add(a);
        if (httpOff)
        {
            psi.ArgumentList.Add("--http-listen");
            psi.ArgumentList.Add("off");
        }
        if (repo.Length > 0)
        {
            psi.ArgumentList.Add("--repo");
            psi.ArgumentList.Add(repo);
        }
        psi.WithoutInheritedSettings();
        psi.Environment["NOTIFY_SOCKET"] = notifySocket;
        psi.Environment["WATCHDOG_USEC"] = "500000";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        return p;
    }

    /// <summary>A bound AF_UNIX datagram socket collecting sd_notify messages.</summary>
    private sealed class NotifySocket : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

        public NotifySocket(string path)
        {
            Path = path;
            _socket.Bind(new UnixDomainSocketEndPoint(path));
        }

        public string Path { get; }

        public async Task<string> NextAsync(TimeSpan timeout, Func<string, bool> match)
        {
            using var cts = new CancellationTokenSource(timeout);
            var buffer = new byte[4096];
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, n).Trim();
                if (match(message)) return message;
            }
        }

        public async Task<int> CountAsync(string message, TimeSpan during)
        {
            var count = 0;
            using var cts = new CancellationTokenSource(during);
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                    if (Encoding.UTF8.GetString(buffer, 0, n).Trim() == message) count++;
                }
            }
            catch (OperationCanceledException)
            {
            }
            return count;
        }

        public List<string> Drain()
        {
            var list = new List<string>();
            var buffer = new byte[4096];
            while (_socket.Available > 0) list.Add(Encoding.UTF8.GetString(buffer, 0, _socket.Receive(buffer)).Trim());
            return list;
        }

        public void Dispose() => _socket.Dispose();
    }
}
