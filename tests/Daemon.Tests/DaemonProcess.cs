using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests;

/// <summary>`kafka-restored` as a child process (as under systemd) with stdout and stderr captured, apart and interleaved.</summary>
internal sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public DaemonProcess(IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.WithoutInheritedSettings();
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the daemon printed so far, stdout and stderr interleaved.</summary>
    public string Output => Read(_output);

    public string StdOut => Read(_stdout);

    public string StdErr => Read(_stderr);

    /// <summary>A loopback TCP port that was free a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value; fails with the daemon's output when <paramref name="timeout"/> passes or the daemon exits.</summary>
    public async Task<T> WaitForAsync<T>(string what, Func<Task<T?>> probe, TimeSpan timeout) where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (_process.HasExited) Assert.Fail($"the daemon exited (code {_process.ExitCode}) while waiting for {what}:\n{Output}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}; daemon output:\n{Tail(Output)}");
            await Task.Delay(250);
        }
    }

    /// <summary>SIGKILL of this process only, as a crash would (a running `git push` child lives on); returns once its output is read.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM (or <paramref name="signal"/>, e.g. INT), wait up to <paramref name="timeout"/> (then kill), and the exit code once all output is read.</summary>
    public int Stop(TimeSpan timeout, string signal = "TERM")
    {
        if (!_process.HasExited)
            ProcessRunner.Run("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!_process.WaitForExit(timeout)) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private static string Tail(string text) => text.Length > 20_000 ? text[^20_000..] : text;

    private string Read(StringBuilder sb)
    {
        lock (_output) return sb.ToString();
    }

    private void Append(StringBuilder stream, string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            stream.AppendLine(line);
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
