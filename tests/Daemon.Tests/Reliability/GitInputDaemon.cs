using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// <c>kafka-restored run</c> as a child process for the Git fault and bad input tests: output
/// captured, HTTP on a free loopback port, /healthz and /metrics read as an operator would.
/// </summary>
internal sealed class GitInputDaemon : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;

    public GitInputDaemon(GitRemote remote, string stateDirectory, string secretsDirectory)
    {
        Port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"));
        foreach (var a in new[]
        {
            "run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", stateDirectory, "--secrets-dir", secretsDirectory,
            "--http-listen", $"http://127.0.0.1:{Port}",
        }) psi.ArgumentList.Add(a);
        psi.Environment["KAFKA_RESTORED_PollInterval"] = "00:00:01";
        psi.Environment["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01";
        psi.Environment["KAFKA_RESTORED_PushRetryDelay"] = "00:00:00.200";
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the daemon printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>GET /healthz: status code and the JSON body, or null while the endpoint is not up yet.</summary>
    public async Task<(HttpStatusCode Code, JsonElement Body)?> HealthAsync()
    {
        try
        {
            using var r = await _http.GetAsync("/healthz");
            var body = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
            return (r.StatusCode, body);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>One unlabelled sample from /metrics, or null while the endpoint is not up yet.</summary>
    public async Task<double?> MetricAsync(string name)
    {
        string text;
        try
        {
            text = await _http.GetStringAsync("/metrics");
        }
        catch (HttpRequestException)
        {
            return null;
        }
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal))
                return double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"metric {name} missing from /metrics:\n{text}");
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with the daemon's output when <paramref name="timeout"/> passes or the daemon exits.</summary>
    public async Task WaitForAsync(string what, Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (HasExited) Assert.Fail($"the daemon exited (code {_process.ExitCode}) while waiting for {what}:\n{Output}");
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}; daemon output:\n{Tail(Output)}");
            await Task.Delay(250);
        }
    }

    /// <summary>SIGTERM, wait for exit; returns the exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
            ProcessRunner.Run("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!_process.WaitForExit(60_000)) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private static string Tail(string text) => text.Length > 20_000 ? text[^20_000..] : text;

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        _http.Dispose();
    }
}
