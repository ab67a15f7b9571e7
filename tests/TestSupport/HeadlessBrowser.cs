using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KafkaRestored.TestSupport;

/// <summary>
/// Debian's headless Chromium with one page, driven by node/browser-driver.js through playwright-core (pinned in
/// package.json), a fresh profile each time. Each call sends one command and waits for its answer, which also says
/// how many times the page has loaded (a reload would count) and which uncaught errors its scripts raised.
/// </summary>
public sealed class HeadlessBrowser : IDisposable
{
    /// <summary>Where Debian's chromium package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Set to 1 (as .ci/run does, after installing chromium) to fail instead of skip when Chromium is missing.</summary>
    public const string RequireVariable = "KR_REQUIRE_BROWSER";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private HeadlessBrowser(Process process) => _process = process;

    /// <summary>A loud skip reason when Chromium is missing and not required, else null (run, and fail if missing).</summary>
    public static string? SkipReason =>
        File.Exists(ChromiumPath) || Environment.GetEnvironmentVariable(RequireVariable) == "1"
            ? null
            : $"NOT TESTED: the status page's browser tests need Debian's chromium at {ChromiumPath} (scripts/install-test-tools.sh installs it). CI installs it and sets {RequireVariable}=1.";

    /// <summary>Main-frame loads of the page so far, as of the last answer.</summary>
    public int Loads { get; private set; }

    /// <summary>Uncaught errors of the page's scripts so far, as of the last answer.</summary>
    public IReadOnlyList<string> Errors { get; private set; } = [];

    /// <summary>The browser's version string.</summary>
    public string Version { get; private set; } = "";

    /// <summary>Launches Chromium and waits until it is ready.</summary>
    public static async Task<HeadlessBrowser> StartAsync()
    {
        if (!File.Exists(ChromiumPath)) throw new FileNotFoundException($"{ChromiumPath} is missing: run scripts/install-test-tools.sh (it installs Debian's chromium).");
        var modules = RepoPaths.NodeModules;
        if (!Directory.Exists(Path.Combine(modules, "playwright-core")))
            throw new DirectoryNotFoundException($"{modules}/playwright-core is missing: run 'npm ci' in {RepoPaths.Root} (the .ci/run script does).");
        var psi = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { Path.Combine(RepoPaths.Root, "tests", "TestSupport", "node", "browser-driver.js"), modules, ChromiumPath })
            psi.ArgumentList.Add(a);
        var browser = new HeadlessBrowser(Process.Start(psi) ?? throw new InvalidOperationException("could not start node"));
        browser._process.ErrorDataReceived += (_, e) =>
        {
            lock (browser._stderr) browser._stderr.AppendLine(e.Data);
        };
        browser._process.BeginErrorReadLine();
        try
        {
            var ready = await browser.ReadAsync();
            if (ready["ready"]?.GetValue<bool>() != true) throw new InvalidOperationException($"Chromium did not start: {ready["error"]}\n{browser.StdErr}");
            browser.Version = ready["version"]?.GetValue<string>() ?? "";
        }
        catch
        {
            browser.Dispose();
            throw;
        }
        return browser;
    }

    /// <summary>Loads <paramref name="url"/> and waits for its load event; returns the HTTP status.</summary>
    public async Task<int> GotoAsync(string url) => (await SendAsync(new JsonObject { ["cmd"] = "goto", ["url"] = url }))["status"]!.GetValue<int>();

    /// <summary>The value of a JavaScript expression in the page, as JSON.</summary>
    public async Task<JsonNode?> EvalAsync(string expression) => (await SendAsync(new JsonObject { ["cmd"] = "eval", ["js"] = expression }))["value"];

    /// <summary>The value of a JavaScript expression that yields a string (null when it yields null or undefined).</summary>
    public async Task<string?> TextAsync(string expression) => (await EvalAsync(expression))?.GetValue<string>();

    /// <summary>Replaces the page with <paramref name="html"/> on about:blank, which has no Content-Security-Policy (the positive controls).</summary>
    public Task SetContentAsync(string html) => SendAsync(new JsonObject { ["cmd"] = "setContent", ["html"] = html });

    /// <summary>A full-page PNG screenshot at <paramref name="path"/> (its folder is created).</summary>
    public Task ScreenshotAsync(string path) => SendAsync(new JsonObject { ["cmd"] = "screenshot", ["path"] = path });

    /// <summary>Polls <paramref name="expression"/> until it yields a string <paramref name="accept"/> takes; fails with the last value after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForTextAsync(string what, string expression, Func<string, bool> accept, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? last = null;
        while (true)
        {
            last = await TextAsync(expression);
            if (last is not null && accept(last)) return last;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}; last value: {last ?? "(none)"}");
            await Task.Delay(200);
        }
    }

    private async Task<JsonObject> SendAsync(JsonObject command)
    {
        await _process.StandardInput.WriteLineAsync(command.ToJsonString());
        await _process.StandardInput.FlushAsync();
        var answer = await ReadAsync();
        if (answer["ok"]?.GetValue<bool>() != true)
            throw new InvalidOperationException($"browser command {command["cmd"]} failed: {answer["error"]}");
        Loads = answer["loads"]!.GetValue<int>();
        Errors = [.. answer["errors"]!.AsArray().Select(e => e!.GetValue<string>())];
        return answer;
    }

    private async Task<JsonObject> ReadAsync()
    {
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync().WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the browser driver did not answer in {Patience.TotalSeconds} s; its stderr:\n{StdErr}");
        }
        if (line is null) throw new InvalidOperationException($"the browser driver exited; its stderr:\n{StdErr}");
        return JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not a JSON object: " + line);
    }

    private string StdErr
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>Closes the browser (end of input) and waits for the driver; kills it if it does not end.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(20))) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
