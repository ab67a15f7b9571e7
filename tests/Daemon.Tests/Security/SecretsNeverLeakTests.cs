using System.Net;
using System.Text;
using KafkaRestored.Daemon.Http;
using KafkaRestored.Restore;
using KafkaRestored.Restore.Backups.Kbak;
using KafkaRestored.Restore.Engine;
using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Secrets;
using KafkaRestored.Restore.Storage;
using KafkaRestored.TestSupport;
using KafkaRestored.TestSupport.GitServers;
using Xunit.Abstractions;

namespace KafkaRestored.Daemon.Tests.Security;

/// <summary>
/// SPEC 8 end to end: unique values planted in every kind of secret file (SASL, TLS, S3
/// credentials, webhook, Git token) are searched for after a full daemon run, logging at Trace,
/// in which the resources using them fail, in every place an operator or an attacker could read.
/// The Git token is the password of a real HTTPS Git server that refuses the daemon without it.
/// Real TLS material is planted too (stunnel4 and openssl required, else the test fails): a CA, a
/// client certificate and key for mutual TLS, an unrelated CA; one restore succeeds through the
/// TLS proxy, one fails on the wrong CA, and exception text from in-process failures is searched.
/// </summary>
public sealed class SecretsNeverLeakTests : IClassFixture<KafkaFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private const string Namespace = "kafka-backup";
    private readonly KafkaFixture _kafka;
    private readonly S3rverFixture _s3;
    private readonly GitRemote _remote = new();
    private readonly TempDir _dir = new("kr-secrets");
    private readonly Dictionary<string, string> _planted = [];
    private readonly ITestOutputHelper _output;

    public SecretsNeverLeakTests(KafkaFixture kafka, S3rverFixture s3, ITestOutputHelper output)
    {
        _kafka = kafka;
        _s3 = s3;
        _output = output;
    }

    public void Dispose()
    {
        _remote.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Planted_secret_values_appear_nowhere_after_a_full_run_with_failures()
    {
        var secrets = _dir.Combine("secrets");
        var state = _dir.Combine("state");
        var backups = _dir.Combine("backups");
        Directory.CreateDirectory(secrets);
        var saslUser = Plant(secrets, "kafka-sasl", "username");
        var saslPassword = Plant(secrets, "kafka-sasl", "password");
        var tlsCa = Plant(secrets, "kafka-tls", "ca.crt");
        var s3Access = Plant(secrets, "s3-credentials", "accessKey");
        var s3Secret = Plant(secrets, "s3-credentials", "secretKey");
        var webhookFile = Plant(_dir.Path, "daemon", "webhook-secret");
        var gitTokenFile = Plant(_dir.Path, "daemon", "git-token");
        Assert.Equal(7, _planted.Count);

        Assert.True(GitHttpsServer.MissingTools is null, $"the Git token half of this test cannot run: {GitHttpsServer.MissingTools}");
        using var git = new GitHttpsServer(_remote, _planted["daemon/git-token"]);
        // Real TLS material: a mutual-TLS cluster behind stunnel4, its CA, a client certificate and key, and an unrelated CA.
        Assert.True(TlsKafka.MissingTools is null, $"the TLS half of this test cannot run: {TlsKafka.MissingTools}");
        using var tls = TlsKafka.Start(brokerCount: 1, requireClientCertificate: true);
        var tlsTarget = PlantTlsMaterial(secrets, tls);
        await CommitRestoresUsingSecretsAsync(backups, tls, tlsTarget);

        var config = _dir.Combine("settings.json");
        File.WriteAllText(config, $$"""{ "GitTokenFile": "{{gitTokenFile}}", "MaxConcurrentRestores": 4, {{TestPolicy.AllowAllJson}} }""");
        string[] settings = ["--repo", git.Url, "--branch", _remote.Branch, "--state-dir", state, "--secrets-dir", secrets, "--config", config];
        var environment = new Dictionary<string, string?>
        {
            ["KAFKA_RESTORED_PollInterval"] = "00:00:01",
            ["KAFKA_RESTORED_RetryBaseDelay"] = "00:00:01",
            ["KAFKA_RESTORED_LogLevel"] = "Trace",
            ["SSL_CERT_FILE"] = git.CaPath,
        };
        var outputs = new Dictionary<string, string>();

        await RunDaemonAsync(settings, environment, webhookFile, secrets, tls, tlsTarget, outputs);
        // The token was sent (the server let the bot push) and the logs searched are Trace logs.
        Assert.Contains(git.Hooks.AcceptedPushes(), p => p.User == GitHttpsServer.BotUser);
        Assert.Contains("trce: ", outputs["run stdout"], StringComparison.Ordinal);

        outputs["plan"] = Cli(["plan", .. settings], environment);
        outputs["status"] = Cli(["status", .. settings], environment);
        foreach (var name in tls is null ? ["sasl", "tls", "s3", "missing"] : new[] { "sasl", "tls", "s3", "missing", "tls-ok", "tls-wrong-ca" })
            outputs["status " + name] = Cli(["status", name, .. settings], environment);
        outputs["reconcile --once"] = Cli(["reconcile", "--once", .. settings], environment);
        Assert.Contains("missing", outputs["status"], StringComparison.Ordinal);
        outputs["git log -p --all"] = _remote.RemoteGit("log", "-p", "--all", "--format=fuller");
        Assert.Contains("status/kafkarestore/kafka-backup/sasl.yaml", outputs["git log -p --all"], StringComparison.Ordinal);
        outputs["git reflog"] = _remote.RemoteGit("reflog", "--all");
        foreach (var (where, text) in await ExceptionTextsAsync(secrets, backups, tls)) outputs[where] = text;

        // The search itself can fail: each planted value, and each PEM line alone, is found when it is there.
        foreach (var (secret, form, needle) in Needles())
            Assert.Contains($"self-check: {secret} ({form})", Leaks("self-check", Encoding.UTF8.GetBytes("..." + needle + "...")));

        AssertNothingLeaked(outputs, state);
    }

    /// <summary>Plants the TLS cluster's CA, client certificate and key (mutual TLS) and an unrelated CA, and makes the topic the TLS restore writes to; returns it.</summary>
    private string PlantTlsMaterial(string secrets, TlsKafka tls)
    {
        PlantFile(secrets, "kafka-mtls", "ca.crt", tls.CaPath);
        PlantFile(secrets, "kafka-mtls", "tls.crt", tls.ClientCertificatePath);
        PlantFile(secrets, "kafka-mtls", "tls.key", tls.ClientKeyPath);
        PlantFile(secrets, "kafka-wrong-ca", "ca.crt", tls.WrongCaPath);
        PlantFile(secrets, "kafka-wrong-ca", "tls.crt", tls.ClientCertificatePath);
        PlantFile(secrets, "kafka-wrong-ca", "tls.key", tls.ClientKeyPath);
        return tls.Broker.CreateUniqueTopic("restored-tls", 1);
    }

    /// <summary>Writes the backup and commits one restore per kind of secret (SASL, a CA that is no PEM, S3 credentials, a missing secret, and with TLS a good and a wrong CA).</summary>
    private async Task CommitRestoresUsingSecretsAsync(string backups, TlsKafka? tls, string? tlsTarget)
    {
        await RestoreKit.WriteBackupAsync(new FilesystemBackupStorage(backups), "backup-1",
            new Dictionary<(string, int), IReadOnlyList<BackupRecord>> { [("orders", 0)] = [RestoreKit.Record(0, 1_700_000_000_000, "k", "v")] },
            new Dictionary<string, int> { ["orders"] = 1 });
        var bucket = await _s3.CreateBucketAsync("secrets");
        var bootstrap = _kafka.Broker.BootstrapServers;
        var filesystem = $"storageType: filesystem\n    filesystem:\n      path: {backups}";
        var resources = new Dictionary<string, string?>
        {
            ["restores/sasl.yaml"] = RestoreYaml("sasl", bootstrap, filesystem,
                "securityProtocol: SASL_PLAINTEXT\n    saslSecret: {name: kafka-sasl, mechanism: SCRAM-SHA-256, usernameKey: username, passwordKey: password}"),
            ["restores/tls.yaml"] = RestoreYaml("tls", bootstrap, filesystem,
                "securityProtocol: SSL\n    tlsSecret: {name: kafka-tls, caKey: ca.crt}"),
            ["restores/s3.yaml"] = RestoreYaml("s3", bootstrap,
                $"storageType: s3\n    s3: {{bucket: {bucket}, region: us-east-1, endpoint: '{_s3.Endpoint}', forcePathStyle: true, " +
                "credentialsSecret: {name: s3-credentials, accessKeyKey: accessKey, secretKeyKey: secretKey}}", ""),
            ["restores/missing.yaml"] = RestoreYaml("missing", bootstrap, filesystem,
                "securityProtocol: SASL_PLAINTEXT\n    saslSecret: {name: no-such-secret, mechanism: PLAIN}"),
        };
        if (tls is not null)
        {
            resources["restores/tls-ok.yaml"] = RestoreYaml("tls-ok", tls.BootstrapServers, filesystem,
                "securityProtocol: SSL\n    tlsSecret: {name: kafka-mtls, caKey: ca.crt, certKey: tls.crt, keyKey: tls.key}", tlsTarget);
            resources["restores/tls-wrong-ca.yaml"] = RestoreYaml("tls-wrong-ca", tls.BootstrapServers, filesystem,
                "securityProtocol: SSL\n    tlsSecret: {name: kafka-wrong-ca, caKey: ca.crt, certKey: tls.crt, keyKey: tls.key}");
        }
        _remote.HumanCommit("add restores that use secrets", resources);
    }

    /// <summary>Runs the daemon with the HTTP listener and the webhook secret until every restore is terminal, checks each status, reads the HTTP surface and the daemon's logs into <paramref name="outputs"/>.</summary>
    private async Task RunDaemonAsync(string[] settings, Dictionary<string, string?> environment, string webhookFile, string secrets, TlsKafka? tls, string? tlsTarget, Dictionary<string, string> outputs)
    {
        var port = DaemonProcess.FreePort();
        using var daemon = new DaemonProcess(["run", .. settings, "--http-listen", $"http://127.0.0.1:{port}", "--webhook-secret-file", webhookFile], environment);
        await AssertTerminalStatusesAsync(daemon, secrets, tls, tlsTarget);
        await ReadHttpSurfaceAsync(port, outputs);

        var exitCode = daemon.Stop(TimeSpan.FromSeconds(30));
        var (stdout, stderr) = (daemon.StdOut, daemon.StdErr);
        Assert.Equal(0, exitCode);
        outputs["run stdout"] = stdout;
        outputs["run stderr"] = stderr;
        Assert.Contains("SecretNotFound", stdout, StringComparison.Ordinal);
        Assert.Contains("InvalidAccessKeyId", stdout, StringComparison.Ordinal);
    }

    /// <summary>Waits until every restore is Failed or Completed and checks each one's reason (and, with TLS, the good restore's records).</summary>
    private async Task AssertTerminalStatusesAsync(DaemonProcess daemon, string secrets, TlsKafka? tls, string? tlsTarget)
    {
        var expected = new Dictionary<string, string>
        {
            // The mock broker speaks no SASL: the client built with the planted credentials never connects.
            ["sasl"] = "reason: ClusterUnreachable",
            // The planted CA is no PEM: librdkafka refuses it when the client is created.
            ["tls"] = "reason: InvalidClientConfig",
            // s3rver knows only its own keys.
            ["s3"] = "reason: StorageAccessDenied",
            ["missing"] = "reason: SecretNotFound",
        };
        if (tls is not null)
        {
            // Mutual TLS through the proxy with the planted CA, client certificate and key.
            expected["tls-ok"] = "reason: RestoreCompleted";
            expected["tls-wrong-ca"] = "reason: TlsCertificateNotTrusted";
        }
        var statuses = await WaitForTerminalAsync(expected.Keys, daemon, TimeSpan.FromSeconds(120));
        Assert.Contains(Path.Combine(secrets, "no-such-secret", "username"), statuses["missing"], StringComparison.Ordinal);
        Assert.Contains("ssl.ca.pem", statuses["tls"], StringComparison.Ordinal);
        foreach (var (name, text) in statuses) Assert.Contains(expected[name], text, StringComparison.Ordinal);
        if (tls is not null)
        {
            Assert.Contains("restoredRecords: 1", statuses["tls-ok"], StringComparison.Ordinal);
            Assert.Contains(tls.BootstrapServers, statuses["tls-wrong-ca"], StringComparison.Ordinal);
            Assert.Contains("could not be verified", statuses["tls-wrong-ca"], StringComparison.Ordinal);
            Assert.Equal(["v"], Kcat.ReadTopic(tls.BootstrapServers, tlsTarget!, tls.KcatProperties()).Select(r => r.Value));
        }
    }

    /// <summary>Reads /metrics and /healthz, posts a badly signed and a well signed webhook, and reads /metrics again, into <paramref name="outputs"/>.</summary>
    private async Task ReadHttpSurfaceAsync(int port, Dictionary<string, string> outputs)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        outputs["metrics"] = await http.GetStringAsync("/metrics");
        Assert.Contains("kafka_restored_resources", outputs["metrics"], StringComparison.Ordinal);
        using (var health = await http.GetAsync("/healthz")) outputs["healthz"] = await health.Content.ReadAsStringAsync();

        var body = "{\"ref\":\"refs/heads/main\"}"u8.ToArray();
        using var bad = new ByteArrayContent(body);
        bad.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute("not-the-secret", body));
        using (var r = await http.PostAsync("/hooks/git", bad))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            outputs["webhook-bad"] = await r.Content.ReadAsStringAsync() + string.Join('\n', r.Headers.Select(h => $"{h.Key}: {string.Join(',', h.Value)}"));
        }
        using var good = new ByteArrayContent(body);
        good.Headers.Add(WebhookSignature.Header, WebhookSignature.Compute(_planted["daemon/webhook-secret"], body));
        using (var r = await http.PostAsync("/hooks/git", good))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            outputs["webhook-good"] = await r.Content.ReadAsStringAsync() + string.Join('\n', r.Headers.Select(h => $"{h.Key}: {string.Join(',', h.Value)}"));
        }
        outputs["metrics-after-webhook"] = await http.GetStringAsync("/metrics");
    }

    /// <summary>The search: no planted value in any output or state file (outside the clone's object store), and state files were there to scan.</summary>
    private void AssertNothingLeaked(Dictionary<string, string> outputs, string state)
    {
        var hits = new List<string>();
        foreach (var (where, text) in outputs)
            hits.AddRange(Leaks(where, Encoding.UTF8.GetBytes(text)));
        var scanned = 0;
        foreach (var file in Directory.EnumerateFiles(state, "*", SearchOption.AllDirectories))
        {
            // The clone's object store holds zlib-compressed blobs: `git log -p --all` covers their content.
            if (file.Contains($"{Path.DirectorySeparatorChar}objects{Path.DirectorySeparatorChar}", StringComparison.Ordinal)) continue;
            hits.AddRange(Leaks(file, File.ReadAllBytes(file)));
            scanned++;
        }
        Assert.True(File.Exists(Path.Combine(state, "state.db")), "the daemon kept no state.db: nothing was scanned");
        Assert.True(scanned >= 2, $"only {scanned} state files scanned");
        Assert.True(hits.Count == 0, "secret values leaked:\n" + string.Join('\n', hits));
        _output.WriteLine($"{_planted.Count} planted secret values ({Needles().Count()} search strings) searched in {outputs.Count} outputs " +
            $"(daemon logs, CLI output, metrics, healthz, webhook answers, git log -p --all, reflog, exception text) and {scanned} state files: " +
            $"{outputs.Count + scanned} places, {hits.Count} hits");
    }

    /// <summary>Exception and failure text from in-process runs of the failure paths (the daemon logs only what it catches).</summary>
    private async Task<List<(string Where, string Text)>> ExceptionTextsAsync(string secrets, string backups, TlsKafka? tls)
    {
        var texts = new List<(string, string)>();
        if (OperatingSystem.IsWindows()) return texts;
        var store = new SecretStore(secrets);
        foreach (var secret in _planted.Keys.Where(k => !k.StartsWith("daemon/", StringComparison.Ordinal)))
        {
            // The same file made world-readable: InsecureSecretFile must name the path only.
            var (name, key) = (secret.Split('/')[0], secret.Split('/')[1]);
            var path = Path.Combine(secrets, name, key);
            var mode = File.GetUnixFileMode(path);
            File.SetUnixFileMode(path, mode | UnixFileMode.OtherRead);
            var e = Assert.Throws<KafkaRestoredException>(() => store.ReadBytes(name, key));
            File.SetUnixFileMode(path, mode);
            Assert.Equal("InsecureSecretFile", e.Reason);
            texts.Add(($"exception InsecureSecretFile {secret}", e.ToString()));
        }
        if (tls is null) return texts;
        using var state = new TempDir("kr-secrets-engine");
        foreach (var secretName in new[] { "kafka-wrong-ca", "kafka-tls" })
        {
            // Wrong CA (TlsCertificateNotTrusted) and a CA that is no PEM (InvalidClientConfig), straight from the engine.
            var restore = RestoreKit.Restore("backup-1", tls.BootstrapServers, RestoreKit.Filesystem(backups), s => s with
            {
                TargetCluster = s.TargetCluster with
                {
                    SecurityProtocol = SecurityProtocol.Ssl,
                    TlsSecret = new TlsSecretRef(secretName, "ca.crt", secretName == "kafka-tls" ? null : "tls.crt", secretName == "kafka-tls" ? null : "tls.key"),
                },
            });
            var result = await RestoreEngine.RunAsync(restore.Spec, restore.Metadata.Namespace, new RestoreEnvironment(store, new FileRestoreStateStore(state.Path), "default/" + secretName)
            {
                Tuning = RestoreTuning.Default with { ConnectTimeout = TimeSpan.FromSeconds(5) },
            }, null, CancellationToken.None);
            Assert.Equal(RestoreOutcome.Failed, result.Outcome);
            texts.Add(($"engine failure {secretName}", $"{result.Reason}: {result.Message}"));
        }
        return texts;
    }

    /// <summary>Plants an existing file (a PEM certificate or key) as a secret file, mode 0600.</summary>
    private void PlantFile(string root, string name, string key, string source)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, key);
        File.Copy(source, path, overwrite: true);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _planted[$"{name}/{key}"] = File.ReadAllText(path);
    }

    private string Plant(string root, string name, string key)
    {
        var value = $"planted-{key.Replace('.', '-')}-{Guid.NewGuid():N}";
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, key);
        File.WriteAllText(path, value + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _planted[$"{name}/{key}"] = value;
        return path;
    }

    /// <summary>
    /// What is searched for: every planted value raw and base64 (as an HTTP Basic header or a YAML
    /// binary would carry it); for generated values their guid alone (a value cut, re-quoted or
    /// escaped on its way out); for PEM files each base64 line of the body (a certificate or key
    /// re-wrapped or quoted in part).
    /// </summary>
    private IEnumerable<(string Secret, string Form, string Needle)> Needles()
    {
        foreach (var (secret, value) in _planted)
        {
            yield return (secret, "raw", value);
            yield return (secret, "base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(value)));
            yield return (secret, "base64 of the value with its newline", Convert.ToBase64String(Encoding.UTF8.GetBytes(value + "\n")));
            if (secret == "daemon/git-token") yield return (secret, "HTTP basic credentials", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{GitHttpsServer.BotUser}:{value}")));
            if (value.StartsWith("-----BEGIN", StringComparison.Ordinal))
            {
                var lines = value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                foreach (var (line, i) in lines.Where(l => !l.StartsWith("-----", StringComparison.Ordinal) && l.Length >= 16).Select((l, i) => (l, i)))
                    yield return (secret, $"PEM body line {i + 1}", line);
            }
            else
            {
                yield return (secret, "guid part", value[^32..]);
            }
        }
    }

    /// <summary>Every needle found in <paramref name="bytes"/>.</summary>
    private IEnumerable<string> Leaks(string where, byte[] bytes)
    {
        foreach (var (secret, form, needle) in Needles())
        {
            if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0) yield return $"{where}: {secret} ({form})";
        }
    }

    private async Task<Dictionary<string, string>> WaitForTerminalAsync(IEnumerable<string> names, DaemonProcess daemon, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var result = new Dictionary<string, string>();
        while (true)
        {
            foreach (var name in names.Where(n => !result.ContainsKey(n)))
            {
                var text = ProcessRunner.Run("git", ["show", $"{_remote.Branch}:status/kafkarestore/{Namespace}/{name}.yaml"], _remote.BarePath);
                if (text.ExitCode == 0 && (text.StdOut.Contains("phase: Failed", StringComparison.Ordinal) || text.StdOut.Contains("phase: Completed", StringComparison.Ordinal)))
                    result[name] = text.StdOut;
            }
            if (result.Count == names.Count()) return result;
            if (DateTime.UtcNow > deadline || daemon.HasExited)
            {
                daemon.Stop(TimeSpan.FromSeconds(30));
                var (stdout, stderr) = (daemon.StdOut, daemon.StdErr);
                Assert.Fail($"restores not all Failed or Completed in time: have {string.Join(", ", result.Keys)}\n" +
                    $"git log:\n{_remote.RemoteGit("log", "--format=%s", _remote.Branch)}\ndaemon stdout:\n{stdout}\nstderr:\n{stderr}");
            }
            await Task.Delay(300);
        }
    }

    private static string RestoreYaml(string name, string bootstrap, string storage, string security, string? target = null) => $"""
        apiVersion: kafka.oso.sh/v1alpha1
        kind: KafkaRestore
        metadata:
          name: {name}
          namespace: {Namespace}
        spec:
          backupId: backup-1
          targetCluster:
            bootstrapServers: [{bootstrap.Replace(",", ", ", StringComparison.Ordinal)}]
            {security}
          storage:
            {storage}
          topics: [orders]
          topicMapping:
            orders: {target ?? $"restored-{name}-{Guid.NewGuid():N}"}
          job:
            backoffLimit: 0

        """;

    private static string Cli(string[] args, Dictionary<string, string?> environment)
    {
        var result = ProcessRunner.Run("dotnet", [RepoPaths.ProjectOutput("src/Daemon", "kafka-restored"), .. args], environment: environment, timeout: TimeSpan.FromMinutes(1));
        return $"exit {result.ExitCode}\n{result.StdOut}\n{result.StdErr}";
    }
}
