using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;

namespace KafkaRestored.TestSupport;

/// <summary>
/// s3rver (pinned in package.json) on a free loopback port over a temp folder. Started once per
/// test class; the S3 client settings follow TESTING.md (path style, S3RVER keys).
/// </summary>
public sealed class S3rverFixture : IDisposable
{
    /// <summary>s3rver accepts exactly this key and secret.</summary>
    public const string AccessKey = "S3RVER";

    /// <summary>s3rver accepts exactly this key and secret.</summary>
    public const string SecretKey = "S3RVER";

    private Process _process;
    private readonly TempDir _dir = new("kr-s3rver");
    private int _bucketCounter;

    /// <summary>Starts s3rver and waits until it accepts connections.</summary>
    public S3rverFixture()
    {
        Port = FreePort();
        _process = Launch();
    }

    private Process Launch()
    {
        var script = Path.Combine(RepoPaths.Root, "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
            throw new FileNotFoundException($"{script} is missing: run 'npm ci' in {RepoPaths.Root} (the .ci/run script does).");
        var psi = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { script, "-d", _dir.Path, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" })
            psi.ArgumentList.Add(a);
        // Node 20 needs the legacy provider or every paginated listing fails with HTTP 500.
        psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start s3rver");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        LoopbackPort.WaitUntilListening(process, Port, "s3rver", TimeSpan.FromSeconds(20));
        return process;
    }

    /// <summary>The s3rver (node) process, for the benchmark's CPU accounting.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Loopback port s3rver listens on.</summary>
    public int Port { get; }

    /// <summary>Service URL for the S3 client.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>A client configured the way s3rver needs.</summary>
    public AmazonS3Client CreateClient() => new(
        new BasicAWSCredentials(AccessKey, SecretKey),
        new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });

    /// <summary>Creates a bucket with a unique name and returns it.</summary>
    public async Task<string> CreateBucketAsync(string prefix = "bucket")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _bucketCounter)}-{Guid.NewGuid().ToString("N")[..8]}";
        using var client = CreateClient();
        await client.PutBucketAsync(name);
        return name;
    }

    /// <summary>Writes s3rver's keys as the secret <c>s3</c> (files <c>accessKey</c> and <c>secretKey</c>, mode 0600) under <paramref name="secretsDirectory"/>, which it returns.</summary>
    public static string WriteCredentialsSecret(string secretsDirectory)
    {
        Directory.CreateDirectory(Path.Combine(secretsDirectory, "s3"));
        foreach (var (key, value) in new[] { ("accessKey", AccessKey), ("secretKey", SecretKey) })
        {
            var file = Path.Combine(secretsDirectory, "s3", key);
            File.WriteAllText(file, value);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return secretsDirectory;
    }

    /// <summary>Kills s3rver, for storage-fault tests.</summary>
    public void Stop()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Starts s3rver again on the same port and data folder after <see cref="Stop"/>.</summary>
    public void Restart()
    {
        Stop();
        _process.Dispose();
        _process = Launch();
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

    /// <summary>A TCP port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
