using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Storage;
using Azure.Storage.Blobs;

namespace KafkaRestored.TestSupport;

/// <summary>
/// Azurite's blob service (pinned in package.json) on a free loopback port over a temp folder.
/// Started once per test class; the client uses Azurite's well-known development account.
/// </summary>
public sealed class AzuriteFixture : IDisposable
{
    /// <summary>Azurite's development storage account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The published key of Azurite's development account (not a secret).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly TempDir _dir = new("kr-azurite");
    private int _containerCounter;

    /// <summary>Starts Azurite and waits until it accepts connections.</summary>
    public AzuriteFixture()
    {
        Port = S3rverFixture.FreePort();
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "blob", "main.js");
        if (!File.Exists(script))
            throw new FileNotFoundException($"{script} is missing: run 'npm ci' in {RepoPaths.Root} (the .ci/run script does).");
        var psi = new ProcessStartInfo("node") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        // The SDK speaks a newer service version than Azurite knows; telemetry would reach for the network.
        foreach (var a in new[] { script, "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--location", _dir.Path, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry" })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start azurite");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        LoopbackPort.WaitUntilListening(_process, Port, "azurite", TimeSpan.FromSeconds(30));
    }

    /// <summary>Loopback port Azurite listens on.</summary>
    public int Port { get; }

    /// <summary>Blob service URL of the development account (path style, as Azurite serves it on an IP).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}/{AccountName}";

    /// <summary>A service client with the development account key, for setting up and reading back.</summary>
    public BlobServiceClient CreateClient(string? endpoint = null) =>
        new(new Uri(endpoint ?? Endpoint), new StorageSharedKeyCredential(AccountName, AccountKey));

    /// <summary>Creates a container with a unique name and returns it.</summary>
    public async Task<string> CreateContainerAsync(string prefix = "backups")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _containerCounter)}-{Guid.NewGuid().ToString("N")[..8]}";
        await CreateClient().CreateBlobContainerAsync(name);
        return name;
    }

    /// <summary>Writes <paramref name="value"/> as secret file <paramref name="secretsDir"/>/<paramref name="name"/>/<paramref name="key"/>, readable by the owner only.</summary>
    public static void WriteSecret(string secretsDir, string name, string key, string value)
    {
        Directory.CreateDirectory(Path.Combine(secretsDir, name));
        var file = Path.Combine(secretsDir, name, key);
        File.WriteAllText(file, value + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
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
        _dir.Dispose();
    }
}
