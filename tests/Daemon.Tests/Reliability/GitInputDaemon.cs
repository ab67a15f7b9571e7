using System.Net;
using System.Text.Json;
using KafkaRestored.TestSupport;

namespace KafkaRestored.Daemon.Tests.Reliability;

/// <summary>
/// <c>kafka-restored run</c> as a child process for the Git fault and bad input tests: output
/// captured, HTTP on a free loopback port, /healthz and /metrics read as an operator would.
/// </summary>
internal sealed class GitInputDaemon : IDisposable
{
    private readonly DaemonProcess _process;
    private readonly HttpClient _http;

    /// <summary>Starts the daemon; <paramref name="settings"/> adds or overrides environment settings (e.g. distributed mode's).</summary>
    public GitInputDaemon(GitRemote remote, string stateDirectory, string secretsDirectory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Port = DaemonProcess.FreePort();
        _process = new DaemonProcess(
            ["run", "--repo", remote.BarePath, "--branch", remote.Branch, "--state-dir", stateDirectory, "--secrets-dir", secretsDirectory,
             "--http-listen", $"http://127.0.0.1:{Port}"],
            TestPolicy.WithAllowAll(new Dictionary<string, string?>
            {
                ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
                ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
                ["KAFKA_RESTORED_PushRetryDelay"] = "00:00:00.200",
            }.Concat(settings ?? new Dictionary<string, string?>()).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value)));
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The daemon's process, to kill or stop it.</summary>
    public DaemonProcess Process => _process;

    /// <summary>Everything the daemon printed so far (stdout and stderr interleaved).</summary>
    public string Output => _process.Output;

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

    /// <summary>The sample of <paramref name="name"/> labelled exactly <paramref name="labels"/> (<c>state="active"</c>), or null when absent or the endpoint is not up.</summary>
    public async Task<double?> MetricAsync(string name, string labels)
    {
        try
        {
            var prefix = name + "{" + labels + "} ";
            var line = (await _http.GetStringAsync("/metrics")).Split('\n').FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            return line is null ? null : double.Parse(line[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>The first sample of a family from /metrics (labelled or not), or null while the endpoint is not up yet.</summary>
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
            // A family's first sample, labelled or not (kafka_restored_leader{instance="a"} 1).
            if (line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }
        throw new InvalidOperationException($"metric {name} missing from /metrics:\n{text}");
    }

    /// <summary>Polls <paramref name="condition"/> until true; fails with the daemon's output when <paramref name="timeout"/> passes or the daemon exits.</summary>
    public Task WaitForAsync(string what, Func<Task<bool>> condition, TimeSpan timeout) =>
        _process.WaitForAsync<object>(what, async () => await condition() ? (object)true : null, timeout);

    /// <summary>SIGTERM, wait for exit; returns the exit code.</summary>
    public int Stop() => _process.Stop(TimeSpan.FromSeconds(60));

    public void Dispose()
    {
        _process.Dispose();
        _http.Dispose();
    }
}
