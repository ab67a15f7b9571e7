using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace KafkaRestored.TestSupport;

/// <summary>
/// firebase-tools' Cloud Storage emulator (pinned in package.json) on a free loopback port, behind
/// the token endpoint of node/gcs-emulator.js. Buckets exist as soon as they are named. Reads back
/// over plain HTTP with the emulator's token, independently of the storage class under test.
/// </summary>
public sealed class GcsEmulatorFixture : IDisposable
{
    /// <summary>The access token the emulator's token endpoint grants and its storage API requires.</summary>
    public const string Token = "emulator-token";

    private readonly Process _process;
    private readonly TempDir _dir = new("kr-gcs");
    private readonly HttpClient _http = new();
    private int _bucketCounter;

    /// <summary>Starts the emulator and waits until it accepts connections.</summary>
    public GcsEmulatorFixture()
    {
        Port = S3rverFixture.FreePort();
        var modules = NodeModules;
        if (!Directory.Exists(Path.Combine(modules, "firebase-tools")))
            throw new DirectoryNotFoundException($"{modules}/firebase-tools is missing: run 'npm ci' in {RepoPaths.Root} (the .ci/run script does).");
        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(RepoPaths.Root, "tests", "TestSupport", "node", "gcs-emulator.js"), modules, Port.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        // The emulator keeps object bytes under os.tmpdir(); one folder per fixture keeps parallel classes apart.
        psi.Environment["TMPDIR"] = _dir.Path;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the GCS emulator");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        LoopbackPort.WaitUntilListening(_process, Port, "gcs emulator", TimeSpan.FromSeconds(60));
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>The node_modules folder holding firebase-tools (<see cref="RepoPaths.NodeModules"/>).</summary>
    public static string NodeModules => RepoPaths.NodeModules;

    /// <summary>Loopback port the emulator listens on.</summary>
    public int Port { get; }

    /// <summary>The endpoint as storage.gcs.endpoint takes it.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>A bucket name not used before (the emulator creates it on first use).</summary>
    public string NewBucket(string prefix = "backups") => $"{prefix}-{Interlocked.Increment(ref _bucketCounter)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// A service account JSON key with a fresh RSA key whose token_uri is this emulator's
    /// <paramref name="tokenPath"/> (/oauth2/token grants, /oauth2/refuse refuses as Google does a deleted key).
    /// </summary>
    public string ServiceAccountJson(string tokenPath = "/oauth2/token")
    {
        using var rsa = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account",
            ["project_id"] = "demo-kafka-restored",
            ["private_key_id"] = Guid.NewGuid().ToString("N"),
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = "restorer@demo-kafka-restored.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = Endpoint + tokenPath,
        });
    }

    /// <summary>The bytes of an object, read with the JSON API's media download.</summary>
    public async Task<byte[]> ReadObjectAsync(string bucket, string name)
    {
        using var response = await _http.GetAsync($"{Endpoint}/storage/v1/b/{bucket}/o/{Uri.EscapeDataString(name)}?alt=media");
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Whether an object exists (metadata GET answers 200 rather than 404).</summary>
    public async Task<bool> ExistsAsync(string bucket, string name)
    {
        using var response = await _http.GetAsync($"{Endpoint}/storage/v1/b/{bucket}/o/{Uri.EscapeDataString(name)}");
        return response.IsSuccessStatusCode;
    }

    /// <summary>Every object name under <paramref name="prefix"/>, with the JSON API's listing (all pages).</summary>
    public async Task<List<string>> ListAsync(string bucket, string prefix = "")
    {
        var names = new List<string>();
        string? token = null;
        do
        {
            var url = $"{Endpoint}/storage/v1/b/{bucket}/o?prefix={Uri.EscapeDataString(prefix)}" + (token is null ? "" : $"&pageToken={Uri.EscapeDataString(token)}");
            using var doc = JsonDocument.Parse(await _http.GetStringAsync(url));
            if (doc.RootElement.TryGetProperty("items", out var items))
                names.AddRange(items.EnumerateArray().Select(i => i.GetProperty("name").GetString()!));
            token = doc.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (!string.IsNullOrEmpty(token));
        return names;
    }

    /// <summary>Writes an object with the JSON API's media upload.</summary>
    public async Task WriteObjectAsync(string bucket, string name, byte[] content)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PostAsync($"{Endpoint}/upload/storage/v1/b/{bucket}/o?uploadType=media&name={Uri.EscapeDataString(name)}", body);
        response.EnsureSuccessStatusCode();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        _http.Dispose();
        _dir.Dispose();
    }
}
