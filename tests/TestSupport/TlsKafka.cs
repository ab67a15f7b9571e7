using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Confluent.Kafka;

namespace KafkaRestored.TestSupport;

/// <summary>
/// A hosted mock cluster reachable only over TLS: stunnel4 terminates TLS in front of every broker
/// and each broker advertises its proxy's port, so clients that follow the metadata stay on TLS.
/// A throwaway CA, a server certificate for 127.0.0.1/localhost, a client certificate signed by
/// the same CA and an unrelated "wrong" CA are generated with openssl in a temp folder.
/// The cluster has its own broker process: advertising the proxy ports would break plaintext
/// tests sharing a <see cref="KafkaFixture"/>.
/// </summary>
public sealed class TlsKafka : IDisposable
{
    private readonly TempDir _dir = new("kr-tls");
    private readonly Process _stunnel;
    private readonly StringBuilder _stunnelLog = new();

    private TlsKafka(MockKafkaBroker broker, bool requireClientCertificate)
    {
        Broker = broker;
        RequireClientCertificate = requireClientCertificate;
        GenerateCertificates();
        var brokers = PlaintextBrokers(broker.BootstrapServers);
        var ports = brokers.ToDictionary(b => b.Id, _ => FreePort());
        var config = new StringBuilder()
            .AppendLine("foreground = yes")
            .AppendLine("pid =")
            .AppendLine("debug = 5");
        foreach (var b in brokers)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"[broker-{b.Id}]")
                .AppendLine(CultureInfo.InvariantCulture, $"accept = 127.0.0.1:{ports[b.Id]}")
                .AppendLine(CultureInfo.InvariantCulture, $"connect = {b.Host}:{b.Port}")
                .AppendLine(CultureInfo.InvariantCulture, $"cert = {ServerCertificatePath}")
                .AppendLine(CultureInfo.InvariantCulture, $"key = {ServerKeyPath}");
            if (requireClientCertificate)
            {
                config.AppendLine("verifyChain = yes")
                    .AppendLine(CultureInfo.InvariantCulture, $"CAfile = {CaPath}");
            }
        }
        var configPath = _dir.Combine("stunnel.conf");
        File.WriteAllText(configPath, config.ToString());
        var psi = new ProcessStartInfo(StunnelBinary!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(configPath);
        _stunnel = Process.Start(psi) ?? throw new InvalidOperationException("could not start stunnel4");
        _stunnel.OutputDataReceived += (_, e) => Append(e.Data);
        _stunnel.ErrorDataReceived += (_, e) => Append(e.Data);
        _stunnel.BeginOutputReadLine();
        _stunnel.BeginErrorReadLine();
        try
        {
            foreach (var port in ports.Values) LoopbackPort.WaitUntilListening(_stunnel, port, "stunnel", TimeSpan.FromSeconds(20), () => ProxyLog);
            foreach (var b in brokers) broker.AdvertiseHostPort(b.Id, "127.0.0.1", ports[b.Id]);
        }
        catch
        {
            StopProxy();
            _dir.Dispose();
            throw;
        }
        BootstrapServers = string.Join(',', brokers.Select(b => $"127.0.0.1:{ports[b.Id]}"));
    }

    // Declared before MissingTools: static initializers run in text order.
    private static string? StunnelBinary { get; } = FindOnPath("stunnel4") ?? FindOnPath("stunnel");

    /// <summary>Why TLS tests cannot run here (stunnel4 or openssl missing), or null when they can.</summary>
    public static string? MissingTools { get; } =
        StunnelBinary is null ? "stunnel4 is not installed (Debian: apt-get install stunnel4; .ci/run installs it)"
        : FindOnPath("openssl") is null ? "openssl is not installed (Debian: apt-get install openssl)"
        : null;

    /// <summary>The broker process behind the proxies (create topics through it).</summary>
    public MockKafkaBroker Broker { get; }

    /// <summary>True when the proxies demand a client certificate signed by the CA (mutual TLS).</summary>
    public bool RequireClientCertificate { get; }

    /// <summary>Bootstrap list of the TLS proxies (the only addresses the brokers advertise).</summary>
    public string BootstrapServers { get; }

    /// <summary>PEM of the CA that signed the server and client certificates.</summary>
    public string CaPath => _dir.Combine("ca.crt");

    /// <summary>PEM of a CA unrelated to the server certificate: verification against it fails.</summary>
    public string WrongCaPath => _dir.Combine("wrong-ca.crt");

    /// <summary>PEM of the server certificate the proxies present.</summary>
    public string ServerCertificatePath => _dir.Combine("server.crt");

    /// <summary>PEM private key of the server certificate.</summary>
    public string ServerKeyPath => _dir.Combine("server.key");

    /// <summary>PEM of a client certificate signed by the CA (for mutual TLS).</summary>
    public string ClientCertificatePath => _dir.Combine("client.crt");

    /// <summary>PEM private key of the client certificate.</summary>
    public string ClientKeyPath => _dir.Combine("client.key");

    /// <summary>What stunnel printed so far (handshake failures show here).</summary>
    public string ProxyLog
    {
        get
        {
            lock (_stunnelLog) return _stunnelLog.ToString();
        }
    }

    /// <summary>Starts a broker host with <paramref name="brokerCount"/> brokers and a TLS proxy in front of each.</summary>
    /// <exception cref="InvalidOperationException">stunnel4 or openssl is missing (see <see cref="MissingTools"/>).</exception>
    public static TlsKafka Start(int brokerCount = 3, bool requireClientCertificate = false)
    {
        if (MissingTools is { } missing) throw new InvalidOperationException(missing);
        var broker = MockKafkaBroker.Start(brokerCount);
        try
        {
            return new TlsKafka(broker, requireClientCertificate);
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    /// <summary>Client settings that reach the cluster through the proxies, trusting the CA (and presenting the client certificate when required).</summary>
    public ClientConfig ClientConfig()
    {
        var config = new ClientConfig
        {
            BootstrapServers = BootstrapServers,
            SecurityProtocol = SecurityProtocol.Ssl,
            SslCaLocation = CaPath,
        };
        if (RequireClientCertificate)
        {
            config.SslCertificateLocation = ClientCertificatePath;
            config.SslKeyLocation = ClientKeyPath;
        }
        return config;
    }

    /// <summary>The same settings as kcat -X properties.</summary>
    public IReadOnlyDictionary<string, string> KcatProperties() => ClientConfig()
        .Where(p => p.Key != "bootstrap.servers")
        .ToDictionary(p => p.Key, p => p.Value);

    /// <inheritdoc />
    public void Dispose()
    {
        StopProxy();
        Broker.Dispose();
        _dir.Dispose();
    }

    private void StopProxy()
    {
        try
        {
            if (!_stunnel.HasExited) _stunnel.Kill();
            _stunnel.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _stunnel.Dispose();
    }

    private void GenerateCertificates()
    {
        var ext = _dir.Combine("san.cnf");
        File.WriteAllText(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        OpenSsl(["req", "-x509", .. ec, "-keyout", _dir.Combine("ca.key"), "-out", CaPath, "-days", "2", "-subj", "/CN=kafka-restored test CA"]);
        OpenSsl(["req", "-x509", .. ec, "-keyout", _dir.Combine("wrong-ca.key"), "-out", WrongCaPath, "-days", "2", "-subj", "/CN=kafka-restored unrelated CA"]);
        foreach (var (name, subject, extensions) in new[] { ("server", "/CN=localhost", ext), ("client", "/CN=kafka-restored", null) })
        {
            OpenSsl(["req", .. ec, "-keyout", _dir.Combine(name + ".key"), "-out", _dir.Combine(name + ".csr"), "-subj", subject]);
            string[] sign = ["x509", "-req", "-in", _dir.Combine(name + ".csr"), "-CA", CaPath, "-CAkey", _dir.Combine("ca.key"),
                "-CAcreateserial", "-out", _dir.Combine(name + ".crt"), "-days", "2"];
            OpenSsl(extensions is null ? sign : [.. sign, "-extfile", extensions]);
        }
        // stunnel and the tests read these; other users need not.
        if (OperatingSystem.IsWindows()) return;
        foreach (var key in Directory.EnumerateFiles(_dir.Path, "*.key"))
            File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private void OpenSsl(string[] args) =>
        ProcessRunner.Run("openssl", args, _dir.Path, timeout: TimeSpan.FromMinutes(1)).EnsureSuccess("openssl " + args[0]);

    /// <summary>Broker ids and plaintext listeners, read from the cluster's own metadata before anything is re-advertised.</summary>
    private static List<(int Id, string Host, int Port)> PlaintextBrokers(string bootstrap)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap })
            .SetLogHandler((_, _) => { }).Build();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
            var brokers = metadata.Brokers.Select(b => (b.BrokerId, b.Host, b.Port)).OrderBy(b => b.BrokerId).ToList();
            if (brokers.Count == bootstrap.Split(',').Length || DateTime.UtcNow > deadline) return brokers;
            Thread.Sleep(200);
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_stunnelLog) _stunnelLog.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}

/// <summary>xUnit fixture: one TLS-fronted cluster per test class (server authentication only).</summary>
public sealed class TlsKafkaFixture : IDisposable
{
    private readonly Lazy<TlsKafka> _cluster = new(() => TlsKafka.Start());

    /// <summary>The cluster, started on first use so that a class whose tests are skipped starts nothing.</summary>
    public TlsKafka Cluster => _cluster.Value;

    /// <inheritdoc />
    public void Dispose()
    {
        if (_cluster.IsValueCreated) _cluster.Value.Dispose();
    }
}
