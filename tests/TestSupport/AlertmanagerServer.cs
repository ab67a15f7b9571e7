using System.Net;
using KafkaRestored.TestSupport.GitServers;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port with its own
/// temporary storage and a configuration that routes every alert to a receiver doing nothing:
/// alerts are kept and can be read back from GET /api/v2/alerts. Clustering is off (no second port).
/// </summary>
public sealed class AlertmanagerServer : IDisposable
{
    private const string Config = """
        route:
          receiver: keep
        receivers:
          - name: keep
        """;

    private readonly TempDir _dir = new("kr-alertmanager");
    private readonly ServerProcess _process;

    /// <summary>Starts Alertmanager and waits until it answers /-/ready.</summary>
    public AlertmanagerServer()
    {
        var program = Program ?? throw new InvalidOperationException("prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager; scripts/install-test-tools.sh does)");
        File.WriteAllText(_dir.Combine("alertmanager.yml"), Config);
        Port = ServerProcess.FreePort();
        _process = new ServerProcess(program,
        [
            "--config.file=" + _dir.Combine("alertmanager.yml"),
            "--storage.path=" + _dir.Combine("data"),
            $"--web.listen-address=127.0.0.1:{Port}",
            "--cluster.listen-address=",
        ], Port);
        WaitUntilReady();
    }

    /// <summary>The program's path when installed, else null.</summary>
    public static string? Program => ServerProcess.Find("prometheus-alertmanager") ?? ServerProcess.Find("alertmanager");

    /// <summary>A loud skip reason when Alertmanager is missing and not required (CI sets the variable), else null (run, and fail if missing).</summary>
    public static string? SkipReason => Program is null && Environment.GetEnvironmentVariable(GitServerTools.RequireVariable) != "1"
        ? $"NOT TESTED: notifications to Alertmanager need a real one: prometheus-alertmanager is not installed. CI installs it and sets {GitServerTools.RequireVariable}=1."
        : null;

    /// <summary>The loopback port of the API.</summary>
    public int Port { get; }

    /// <summary>The base URL (http://127.0.0.1:PORT).</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>What Alertmanager logged so far.</summary>
    public string Output => _process.Output;

    /// <summary>GET /api/v2/alerts: the alerts it holds, as its JSON.</summary>
    public async Task<string> AlertsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(Url, "/api/v2/alerts"));
    }

    private void WaitUntilReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                if (http.GetAsync(new Uri(Url, "/-/ready")).GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not yet
            }
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"Alertmanager on port {Port} was not ready within 60 s:\n{Output}");
            Thread.Sleep(100);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _process.Dispose();
        _dir.Dispose();
    }
}
